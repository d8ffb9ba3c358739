// The statistics of an experiment (docs/experiments/analysis.md): a paired sign-flip
// (randomization) test of a ratio estimand, its confidence interval by inverting the same test,
// an effect size, the power at the smallest effect that matters, and an exact binomial bound for
// the guarantees. Deterministic: the randomization is seeded.
//
// Every statistical criterion is "θ ≥ τ" for an estimand that is a ratio of sums over blocks j of
// paired units: θ = ΣA_j / ΣB_j with B_j > 0. (Cost reduction: A = control − treatment,
// B = control. Mean recall: A = Σ recall, B = number of units.) For a threshold τ the paired
// differences D_j(τ) = A_j − τ·B_j sum to (θ − τ)·ΣB; under "θ = τ" they are assumed symmetric
// about 0, so flipping the sign of any subset of blocks leaves their distribution unchanged.

import { rng } from "../rng.ts";

export interface TestOptions {
  alpha: number;
  seed: number;
  /** random sign patterns when there are too many blocks to enumerate them all */
  resamples: number;
}

/** enumerate every sign pattern up to this many blocks (2^16 patterns) */
export const EXACT_MAX_BLOCKS = 16;

export interface SignFlip {
  /** θ̂ = ΣA / ΣB */
  estimate: number;
  blocks: number;
  exact: boolean;
  /** the subset ratios r_k = Σ_F A / Σ_F B of the non-empty flip sets, sorted */
  ratios: Float64Array;
  /** patterns that count for both tails at any τ (the identity, and empty flip sets) */
  always: number;
  /** patterns in all (always + ratios.length) */
  patterns: number;
}

/**
 * signFlip draws the randomization distribution once: for each sign pattern (all 2^m when
 * m ≤ EXACT_MAX_BLOCKS, else `resamples` random ones plus the identity), the ratio over the blocks
 * it flips. With it, the p-value at any τ is a count:
 *   T(τ) = Σ D_j(τ),  T*(τ) = Σ s_j D_j(τ) = T(τ) − 2·Σ_F D_j(τ)  (F = the flipped blocks), so
 *   T* ≥ T  ⟺  Σ_F A − τ Σ_F B ≤ 0  ⟺  r_F ≤ τ.
 */
export function signFlip(a: readonly number[], b: readonly number[], opts: Pick<TestOptions, "seed" | "resamples">): SignFlip {
  const m = a.length;
  if (b.length !== m) throw new Error("signFlip: a and b differ in length");
  for (const x of b) if (!(x > 0)) throw new Error("signFlip: every B must be > 0");
  const sumA = a.reduce((s, x) => s + x, 0);
  const sumB = b.reduce((s, x) => s + x, 0);
  const ratios: number[] = [];
  let always = 0;
  const exact = m <= EXACT_MAX_BLOCKS;
  if (exact) {
    const n = 1 << m;
    for (let k = 0; k < n; k++) {
      let sa = 0, sb = 0;
      for (let j = 0; j < m; j++) if (k & (1 << j)) { sa += a[j]; sb += b[j]; }
      if (sb === 0) always++;
      else ratios.push(sa / sb);
    }
  } else {
    const rand = rng(opts.seed);
    always = 1; // the identity
    for (let k = 0; k < opts.resamples; k++) {
      let sa = 0, sb = 0;
      for (let j = 0; j < m; j++) if (rand() < 0.5) { sa += a[j]; sb += b[j]; }
      if (sb === 0) always++;
      else ratios.push(sa / sb);
    }
  }
  const sorted = Float64Array.from(ratios).sort();
  return { estimate: sumB > 0 ? sumA / sumB : NaN, blocks: m, exact, ratios: sorted, always, patterns: always + sorted.length };
}

/** count of sorted values ≤ x, and ≥ x */
function countLE(s: Float64Array, x: number): number {
  let lo = 0, hi = s.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}
function countGE(s: Float64Array, x: number): number {
  let lo = 0, hi = s.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] < x) lo = mid + 1; else hi = mid; }
  return s.length - lo;
}

/** pMet is the one-sided p-value of H0 "θ ≤ τ" (small: evidence that θ > τ). */
export function pMet(f: SignFlip, tau: number): number {
  return (f.always + countLE(f.ratios, tau)) / f.patterns;
}

/** pViolated is the one-sided p-value of H0 "θ ≥ τ" (small: evidence that θ < τ). */
export function pViolated(f: SignFlip, tau: number): number {
  return (f.always + countGE(f.ratios, tau)) / f.patterns;
}

/**
 * interval is the set of τ neither one-sided test rejects at alpha: a two-sided 1 − 2α interval
 * (each bound one-sided 1 − α), so "τ < lower" ⟺ pMet(τ) ≤ α and "τ > upper" ⟺ pViolated(τ) ≤ α.
 * A bound is infinite when no τ can be rejected on that side (too few blocks).
 */
export function interval(f: SignFlip, alpha: number): [number, number] {
  const c = Math.floor(alpha * f.patterns + 1e-9) - f.always; // patterns that may count at a rejected τ
  if (c < 0 || f.ratios.length === 0) return [-Infinity, Infinity];
  const lower = c < f.ratios.length ? f.ratios[c] : Infinity;
  const upper = c < f.ratios.length ? f.ratios[f.ratios.length - 1 - c] : -Infinity;
  return [lower, upper];
}

/** the smallest p-value the test can give with this many patterns */
export function minP(f: SignFlip): number {
  return f.always / f.patterns;
}

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26 via erf, error < 1.5e-7) */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Φ⁻¹ by bisection on normalCdf (ample for power figures) */
export function normalQuantile(p: number): number {
  let lo = -10, hi = 10;
  for (let i = 0; i < 100; i++) { const mid = (lo + hi) / 2; if (normalCdf(mid) < p) lo = mid; else hi = mid; }
  return (lo + hi) / 2;
}

export interface Power {
  /** P(pass) when θ = τ + margin, from the spread of the blocks around θ̂ (normal approximation) */
  power: number;
  /** the smallest margin above τ the test detects with probability minPower */
  detectable: number;
}

/**
 * power is the probability that the one-sided test at alpha rejects "θ ≤ τ" when in truth
 * θ = τ + margin, for blocks that scatter as observed: the residuals D_j(θ̂) = A_j − θ̂·B_j have
 * standard deviation s, so T(τ) = Σ D_j(τ) ≈ N(margin·ΣB, m·s²), and the randomization test is
 * approximately the one-sided z-test on it. It is 0 when the test cannot reach alpha at all (too
 * few blocks: the smallest p-value, always/patterns, exceeds alpha).
 */
export function power(a: readonly number[], b: readonly number[], f: SignFlip, margin: number, alpha: number, minPower: number): Power {
  const m = a.length;
  const sumB = b.reduce((s, x) => s + x, 0);
  if (m < 2 || minP(f) > alpha) return { power: 0, detectable: Infinity };
  const res = a.map((x, j) => x - f.estimate * b[j]);
  const s = Math.sqrt(res.reduce((acc, r) => acc + r * r, 0) / (m - 1));
  const se = (Math.sqrt(m) * s) / sumB; // standard error of θ̂
  const za = normalQuantile(1 - alpha);
  if (se === 0) return { power: margin > 0 ? 1 : alpha, detectable: 0 };
  return { power: normalCdf(margin / se - za), detectable: (za + normalQuantile(minPower)) * se };
}

/**
 * rankBiserial is the matched-pairs rank-biserial correlation of paired differences: (W+ − W−) /
 * (W+ + W−) over the non-zero differences ranked by size (ties get mid-ranks); −1..1, 0 when
 * every difference is zero. The effect size that goes with rank and sign tests on skewed data.
 */
export function rankBiserial(d: readonly number[]): number {
  const nz = d.filter((x) => x !== 0).map((x) => ({ x, abs: Math.abs(x) })).sort((p, q) => p.abs - q.abs);
  if (nz.length === 0) return 0;
  let plus = 0, minus = 0;
  for (let i = 0; i < nz.length;) {
    let j = i;
    while (j < nz.length && nz[j].abs === nz[i].abs) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) (nz[k].x > 0 ? (plus += rank) : (minus += rank));
    i = j;
  }
  return (plus - minus) / (plus + minus);
}

/** cohenDz is mean(d) / sd(d), the standardized paired difference (null when undefined). */
export function cohenDz(d: readonly number[]): number | null {
  if (d.length < 2) return null;
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
  return sd > 0 ? mean / sd : mean === 0 ? 0 : null;
}

function betaIncLowerTail(n: number, k: number, p: number): number {
  // P(X ≤ k) for X ~ Binomial(n, p), summed in log space
  let s = 0;
  let logC = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    s += Math.exp(logC + i * Math.log(p || Number.MIN_VALUE) + (n - i) * Math.log1p(-p));
  }
  return Math.min(1, s);
}

/**
 * clopperPearson is the exact binomial interval for a rate of k events in n trials, each bound
 * one-sided at level 1 − alpha (so 1 − 2α two-sided, as interval() above): with k = 0 the upper
 * bound is 1 − alpha^(1/n) (about 3/n at alpha 0.05: "the rule of three").
 */
export function clopperPearson(k: number, n: number, alpha: number): [number, number] {
  if (n === 0) return [0, 1];
  const solve = (f: (p: number) => number) => { let lo = 0, hi = 1; for (let i = 0; i < 60; i++) { const mid = (lo + hi) / 2; if (f(mid) > 0) lo = mid; else hi = mid; } return (lo + hi) / 2; };
  const upper = k === n ? 1 : solve((p) => betaIncLowerTail(n, k, p) - alpha);
  const lower = k === 0 ? 0 : solve((p) => alpha - (1 - betaIncLowerTail(n, k - 1, p)));
  return [k === 0 ? 0 : lower, upper];
}

/**
 * lag1 is the lag-1 autocorrelation of residuals in time order, pairs taken only within a group
 * (a host): Σ r_j·r_{j+1} / Σ r_j². Near 0 for independent blocks; clearly positive when
 * consecutive blocks move together, which makes the test's p-values too small. Under
 * independence its standard error is about 1/√pairs.
 */
export function lag1(res: readonly number[], group: readonly string[]): { r: number; pairs: number } | null {
  let num = 0, den = 0, pairs = 0;
  for (let j = 0; j < res.length; j++) {
    den += res[j] * res[j];
    if (j + 1 < res.length && group[j + 1] === group[j]) { num += res[j] * res[j + 1]; pairs++; }
  }
  return pairs > 0 && den > 0 ? { r: num / den, pairs } : null;
}
