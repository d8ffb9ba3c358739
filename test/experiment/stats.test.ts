// The statistics on synthetic paired samples with known answers: exact p-values, the interval
// agrees with the tests, the false-positive rate under the null stays at alpha (p-values
// uniform), the power figure matches simulated rejection rates, the effect sizes and the exact
// binomial interval.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { clopperPearson, cohenDz, interval, minP, power, pMet, pViolated, rankBiserial, signFlip } from "../../src/experiment/stats.ts";
import { rng } from "../../src/rng.ts";

/** laplace is a heavy-tailed symmetric draw (not normal), scale 1 */
const laplace = (r: () => number) => { const u = r() - 0.5; return -Math.sign(u) * Math.log(1 - 2 * Math.abs(u)); };

/**
 * costSample is m blocks of control and treatment cost where the treatment's true reduction is
 * theta: control c ~ 1000..3000 (skewed), treatment t = (1 − theta)·c + noise. Then
 * A = c − t, B = c, and the noise of D(θ) = A − θB is symmetric.
 */
function costSample(m: number, theta: number, noise: number, r: () => number): { a: number[]; b: number[] } {
  const a: number[] = [], b: number[] = [];
  for (let j = 0; j < m; j++) {
    const c = 1000 + 2000 * r() ** 2;
    const t = (1 - theta) * c + noise * laplace(r);
    a.push(c - t);
    b.push(c);
  }
  return { a, b };
}

describe("sign-flip test", () => {
  it("gives the exact p-value 2^-m when every block is on one side", () => {
    const f = signFlip([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], { seed: 1, resamples: 999 });
    assert.ok(f.exact);
    assert.equal(f.estimate, 3.5);
    assert.equal(pMet(f, 0), 1 / 64);
    assert.equal(pViolated(f, 0), 1);
    assert.equal(minP(f), 1 / 64);
  });

  it("has an interval that agrees with both one-sided tests at its bounds", () => {
    for (const m of [8, 40]) {
      const { a, b } = costSample(m, 0.3, 80, rng(7));
      const f = signFlip(a, b, { seed: 3, resamples: 1999 });
      const [lo, hi] = interval(f, 0.05);
      assert.ok(lo < f.estimate && f.estimate < hi, `${lo} ${f.estimate} ${hi}`);
      assert.ok(pMet(f, lo - 1e-9) <= 0.05 && pMet(f, lo) > 0.05, `lower ${lo}`);
      assert.ok(pViolated(f, hi + 1e-9) <= 0.05 && pViolated(f, hi) > 0.05, `upper ${hi}`);
    }
  });

  it("cannot reject anything with too few blocks, and says so through an infinite interval", () => {
    const f = signFlip([1, 2, 3, 4], [1, 1, 1, 1], { seed: 1, resamples: 99 });
    assert.equal(minP(f), 1 / 16);
    assert.deepEqual(interval(f, 0.05), [-Infinity, Infinity]);
    assert.equal(power([1, 2, 3, 4], [1, 1, 1, 1], f, 1, 0.05, 0.8).power, 0);
  });

  it("is deterministic for a seed", () => {
    const { a, b } = costSample(30, 0.2, 100, rng(5));
    const x = signFlip(a, b, { seed: 9, resamples: 999 }), y = signFlip(a, b, { seed: 9, resamples: 999 });
    assert.deepEqual(interval(x, 0.05), interval(y, 0.05));
    assert.equal(pMet(x, 0.2), pMet(y, 0.2));
  });

  // The false-positive check: under the null (true reduction = the threshold) a test at alpha
  // must say "met" at most alpha of the time, and its p-values must be about uniform. 2,000
  // seeds: the standard error of a 5% rate is 0.5%.
  for (const [label, m, resamples] of [["exact, 10 blocks", 10, 0], ["Monte Carlo, 30 blocks", 30, 199]] as const) {
    it(`keeps the false-positive rate at alpha under the null (${label})`, () => {
      const seeds = 2000, alpha = 0.05, tau = 0.25;
      let met = 0, violated = 0;
      const deciles = new Array(10).fill(0);
      for (let s = 1; s <= seeds; s++) {
        const r = rng(1000 + s);
        const { a, b } = costSample(m, tau, 150, r);
        const f = signFlip(a, b, { seed: s, resamples: resamples || 999 });
        const p = pMet(f, tau);
        if (p <= alpha) met++;
        if (pViolated(f, tau) <= alpha) violated++;
        deciles[Math.min(9, Math.floor(p * 10))]++;
      }
      const fpr = met / seeds;
      console.log(`# ${label}: false-positive rate ${fpr.toFixed(4)} (pass), ${(violated / seeds).toFixed(4)} (fail) at alpha ${alpha}; p deciles ${deciles.join(" ")}`);
      assert.ok(fpr <= alpha + 0.015 && fpr >= alpha - 0.02, `FPR ${fpr}`);
      assert.ok(violated / seeds <= alpha + 0.015, `fail-side FPR ${violated / seeds}`);
      for (const d of deciles) assert.ok(d / seeds > 0.07 && d / seeds < 0.13, `p-value deciles not uniform: ${deciles}`);
    });
  }

  it("passes a clearly better treatment, fails a clearly worse one, and is undecided on noise", () => {
    const decide = (theta: number, tau: number) => {
      const { a, b } = costSample(24, theta, 100, rng(11));
      const f = signFlip(a, b, { seed: 1, resamples: 1999 });
      return pMet(f, tau) <= 0.05 ? "pass" : pViolated(f, tau) <= 0.05 ? "fail" : "inconclusive";
    };
    assert.equal(decide(0.4, 0.2), "pass");
    assert.equal(decide(0.0, 0.2), "fail");
    assert.equal(decide(0.2, 0.2), "inconclusive");
  });

  it("predicts its power: the computed figure is near the simulated rejection rate", () => {
    const m = 20, tau = 0.2, margin = 0.05, noise = 300;
    let rejected = 0, predicted = 0;
    const runs = 400;
    for (let s = 1; s <= runs; s++) {
      const { a, b } = costSample(m, tau + margin, noise, rng(5000 + s));
      const f = signFlip(a, b, { seed: s, resamples: 199 });
      if (pMet(f, tau) <= 0.05) rejected++;
      predicted += power(a, b, f, margin, 0.05, 0.8).power;
    }
    const sim = rejected / runs, pred = predicted / runs;
    console.log(`# power at +${margin}: predicted ${pred.toFixed(3)}, simulated ${sim.toFixed(3)}`);
    assert.ok(sim > 0.2 && sim < 0.95, `a test of the middle range: ${sim}`);
    assert.ok(Math.abs(sim - pred) < 0.1, `predicted ${pred} vs simulated ${sim}`);
  });
});

describe("effect sizes and the exact binomial interval", () => {
  it("rank-biserial: +1 all better, −1 all worse, 0 balanced; ties get mid-ranks", () => {
    assert.equal(rankBiserial([1, 2, 3]), 1);
    assert.equal(rankBiserial([-1, -2]), -1);
    assert.equal(rankBiserial([1, -1, 0]), 0);
    assert.equal(rankBiserial([1, -1, 2, 3]), (1.5 + 3 + 4 - 1.5) / 10);
  });
  it("Cohen's dz", () => {
    assert.equal(cohenDz([1, 1, 1]), null);
    assert.equal(cohenDz([0, 0]), 0);
    assert.ok(Math.abs(cohenDz([1, 2, 3])! - 2) < 1e-12);
  });
  it("Clopper-Pearson: the rule of three, and a textbook value", () => {
    const [lo, hi] = clopperPearson(0, 30, 0.05);
    assert.equal(lo, 0);
    assert.ok(Math.abs(hi - (1 - 0.05 ** (1 / 30))) < 1e-6);
    const [l2, h2] = clopperPearson(3, 10, 0.025); // the 95% two-sided interval of 3/10
    assert.ok(Math.abs(l2 - 0.0667) < 1e-3 && Math.abs(h2 - 0.6525) < 1e-3, `${l2} ${h2}`);
  });
});

describe("lag-1 autocorrelation of block residuals", () => {
  it("is near 0 for independent blocks, high for a trend, and pairs blocks of one host only", async () => {
    const { lag1 } = await import("../../src/experiment/stats.ts");
    const r = rng(3);
    const noise = Array.from({ length: 400 }, () => laplace(r));
    assert.ok(Math.abs(lag1(noise, noise.map(() => "h"))!.r) < 0.2);
    const walk: number[] = [];
    let x = 0;
    for (let i = 0; i < 400; i++) walk.push((x = 0.9 * x + laplace(r)));
    assert.ok(lag1(walk, walk.map(() => "h"))!.r > 0.7);
    assert.equal(lag1([1, 1], ["a", "b"]), null, "no pair within a host");
    assert.deepEqual(lag1([1, 1, 1], ["a", "a", "b"]), { r: 1 / 3, pairs: 1 });
  });
});
