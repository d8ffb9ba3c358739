// From units to a verdict: each criterion's estimate, interval, p-values, effect size and power,
// then pass / fail / inconclusive (docs/experiments/framework.md, analysis.md).
import { isAbsolute, relative, resolve } from "node:path";
import type { ExperimentSpec } from "./spec.ts";
import { clopperPearson, cohenDz, interval, lag1, minP, power, pMet, pViolated, rankBiserial, signFlip, type SignFlip } from "./stats.ts";
import { ARMS, type Arm, type ArmUnit, type Hog, type Unit } from "./units.ts";

export type Outcome = "pass" | "fail" | "inconclusive";
export const EXIT: Record<Outcome, number> = { pass: 0, fail: 3, inconclusive: 4 };

export interface CriterionResult {
  name: string;
  /** statistical: a population quantity tested at alpha; guarantee: every unit must meet it */
  kind: "statistical" | "guarantee";
  direction: ">=" | "<=";
  threshold: number;
  estimate: number;
  /** statistical: 1 − 2α interval of the estimate; guarantee: exact interval of the violation rate */
  interval: [number, number];
  interval_of: string;
  method: string;
  outcome: Outcome;
  why: string;
  /** statistical only */
  p_value?: number;
  p_value_violated?: number;
  effect_size?: { rank_biserial: number; cohen_dz: number | null; difference: number; difference_of: string };
  power?: number;
  power_margin?: number;
  detectable_margin?: number;
  /** lag-1 autocorrelation of the block residuals within hosts (null: too few) */
  autocorrelation?: number | null;
  /** what to distrust about this criterion's figures */
  warning?: string;
  /** guarantee only */
  units?: number;
  violations?: number;
  control_estimate?: number;
}

export interface ArmSummary {
  points: number; bytes: number; series: number;
  worst_totals_error: number; top_recall: number | null; critical_recall: number | null;
  hogs: number; hog_latency_mean: number | null; hog_latency_max: number | null; hogs_never_kept: number;
}

export interface TimelinePoint {
  interval: number;
  recorded: number;
  points: Record<Arm, number>;
  top_recall: Record<Arm, number | null>;
  totals_error: Record<Arm, number>;
}

export interface Result {
  verdict: Outcome;
  reasons: string[];
  hypothesis: string;
  control: string;
  treatment: string;
  inputs: number;
  units: number;
  blocks: number;
  alpha: number;
  min_power: number;
  /** what the report shows (the spec's `metrics`; all by default) */
  metrics: string[];
  criteria: Record<string, CriterionResult>;
  cost: Record<"points" | "bytes" | "series", { recorded: number; control: number; treatment: number; reduction: number; interval: [number, number] }>;
  arms: Record<Arm, ArmSummary>;
  timeline: TimelinePoint[];
}

/** blocks groups units by (input, host) in interval order, `size` consecutive intervals a block. */
export function blocks(units: readonly Unit[], size: number): Unit[][] {
  const byHost = new Map<string, Unit[]>();
  for (const u of units) {
    const k = `${u.input}\u0000${u.host}`;
    let l = byHost.get(k);
    if (!l) byHost.set(k, (l = []));
    l.push(u);
  }
  const out: Unit[][] = [];
  for (const l of byHost.values()) {
    l.sort((p, q) => p.interval - q.interval);
    for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
  }
  return out;
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** ratioBlocks is (A_j, B_j) of the blocks where B_j > 0. */
function ratioBlocks(bs: readonly Unit[][], a: (u: Unit) => number, b: (u: Unit) => number): { a: number[]; b: number[]; host: string[] } {
  const out = { a: [] as number[], b: [] as number[], host: [] as string[] };
  for (const bl of bs) {
    const bb = sum(bl.map(b));
    if (bb > 0) { out.a.push(sum(bl.map(a))); out.b.push(bb); out.host.push(`${bl[0].input}\u0000${bl[0].host}`); }
  }
  return out;
}

/**
 * The report suggests larger blocks when the lag-1 autocorrelation of the residuals is above this
 * and above two standard errors of an independent series (2/√pairs).
 */
export const AUTOCORRELATION_WARN = 0.3;

/** statistical tests "θ ≥ threshold" on the blocks ab; flip is their signFlip when the caller has drawn it already. */
function statistical(name: string, threshold: number, ab: { a: number[]; b: number[]; host: string[] }, diffs: number[], differenceOf: string, difference: number, margin: number, spec: ExperimentSpec, method: string, intervalOf: string, flip?: SignFlip): CriterionResult {
  const { alpha, min_power } = spec.criteria;
  if (ab.a.length === 0) {
    return { name, kind: "statistical", direction: ">=", threshold, estimate: NaN, interval: [-Infinity, Infinity], interval_of: intervalOf, method, outcome: "inconclusive", why: "no unit to measure it on" };
  }
  const f: SignFlip = flip ?? signFlip(ab.a, ab.b, { seed: spec.statistics.seed, resamples: spec.statistics.resamples });
  const p = pMet(f, threshold), pv = pViolated(f, threshold);
  const ci = interval(f, alpha);
  const pw = power(ab.a, ab.b, f, margin, alpha, min_power);
  const outcome: Outcome = p <= alpha ? "pass" : pv <= alpha ? "fail" : "inconclusive";
  const r1 = lag1(ab.a.map((x, j) => x - f.estimate * ab.b[j]), ab.host);
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
  const why = outcome === "pass" ? `${fmt(f.estimate)} ≥ ${threshold}: p = ${p.toPrecision(3)} ≤ α`
    : outcome === "fail" ? `${fmt(f.estimate)} < ${threshold}: p = ${pv.toPrecision(3)} ≤ α that it is met`
    : minP(f) > alpha ? `${f.blocks} blocks cannot reach α = ${alpha} (smallest p-value ${minP(f).toPrecision(3)}); run longer or on more hosts`
    : `the ${fmt(ci[0])}..${fmt(ci[1])} interval contains ${threshold}`;
  return {
    name, kind: "statistical", direction: ">=", threshold, estimate: f.estimate, interval: ci, interval_of: intervalOf, method, outcome, why,
    p_value: p, p_value_violated: pv,
    effect_size: { rank_biserial: rankBiserial(diffs), cohen_dz: cohenDz(diffs), difference, difference_of: differenceOf },
    power: pw.power, power_margin: margin, detectable_margin: pw.detectable,
    autocorrelation: r1?.r ?? null,
    ...(r1 !== null && r1.r > AUTOCORRELATION_WARN && r1.r > 2 / Math.sqrt(r1.pairs) ? { warning: `consecutive blocks correlate (lag-1 r = ${r1.r.toFixed(2)} over ${r1.pairs} pairs): p-values and the interval may be too optimistic; try statistics.block: ${2 * spec.statistics.block + 1}` } : {}),
  };
}

function guarantee(name: string, direction: ">=" | "<=", threshold: number, values: number[], controlValues: number[], alpha: number, what: string, noun = "units"): CriterionResult {
  const bad = (v: number) => (direction === ">=" ? v < threshold : v > threshold);
  const worst = (vs: number[]) => (vs.length === 0 ? NaN : direction === ">=" ? Math.min(...vs) : Math.max(...vs));
  const k = values.filter(bad).length;
  const n = values.length;
  const outcome: Outcome = n === 0 ? "inconclusive" : k > 0 ? "fail" : "pass";
  const w = worst(values);
  const shown = Number.isFinite(w) ? Number(w.toPrecision(3)) : w;
  const why = n === 0 ? `nothing to check (${what})` : k > 0 ? `${k} of ${n} ${noun} miss it (worst ${shown})` : `all ${n} ${noun} meet it (worst ${shown})`;
  return {
    name, kind: "guarantee", direction, threshold, estimate: worst(values), interval: clopperPearson(k, n, alpha), interval_of: `rate of ${noun} that miss it`,
    method: "every unit; exact (Clopper-Pearson) interval of the miss rate", outcome, why, units: n, violations: k, control_estimate: worst(controlValues),
  };
}

/** shown is a profile as the report names it: a built-in name, or a file relative to the working folder. */
const shown = (arm: string, cwd: string) => (isAbsolute(arm) ? relative(resolve(cwd), arm) || arm : arm);

const costOf = (u: ArmUnit | Unit["recorded"], unit: "points" | "bytes" | "series") => u[unit];
const unitError = (a: ArmUnit) => Math.max(a.cpuError, a.memoryError);

/** analyze decides; cwd is the folder the report names profile files relative to. */
export function analyze(spec: ExperimentSpec, units: readonly Unit[], hogs: readonly Hog[], inputs: number, cwd = "."): Result {
  const c = spec.criteria;
  const bs = blocks(units, spec.statistics.block);
  const criteria: Record<string, CriterionResult> = {};
  const cost = {} as Result["cost"];
  const saved = {} as Record<"points" | "bytes" | "series", { ab: ReturnType<typeof ratioBlocks>; f?: SignFlip }>;
  for (const unit of ["points", "bytes", "series"] as const) {
    const ab = ratioBlocks(bs, (u) => costOf(u.arms.control, unit) - costOf(u.arms.treatment, unit), (u) => costOf(u.arms.control, unit));
    const f = ab.a.length > 0 ? signFlip(ab.a, ab.b, { seed: spec.statistics.seed, resamples: spec.statistics.resamples }) : undefined;
    saved[unit] = { ab, f };
    cost[unit] = {
      recorded: sum(units.map((u) => u.recorded[unit])), control: sum(units.map((u) => u.arms.control[unit])), treatment: sum(units.map((u) => u.arms.treatment[unit])),
      reduction: f?.estimate ?? NaN, interval: f ? interval(f, c.alpha) : [-Infinity, Infinity],
    };
  }
  if (c.min_cost_reduction !== undefined) {
    const unit = c.cost_unit;
    const { ab, f } = saved[unit];
    criteria.min_cost_reduction = statistical("min_cost_reduction", c.min_cost_reduction, ab, ab.a.map((x, j) => x / ab.b[j]), `relative ${unit} saved per block`, cost[unit].reduction,
      spec.statistics.margins.min_cost_reduction, spec, "paired sign-flip randomization test; interval by inverting it", `reduction in ${unit}, 1 − treatment/control`, f);
  }
  if (c.min_top_recall !== undefined) {
    const ab = ratioBlocks(bs, (u) => u.arms.treatment.topKept, (u) => u.arms.treatment.topTotal);
    const abc = ratioBlocks(bs, (u) => u.arms.control.topKept, (u) => u.arms.control.topTotal);
    const diffs = ab.a.map((x, j) => x / ab.b[j] - abc.a[j] / abc.b[j]);
    const rc = sum(abc.a) / sum(abc.b), rt = sum(ab.a) / sum(ab.b);
    criteria.min_top_recall = statistical("min_top_recall", c.min_top_recall, ab, diffs, "treatment − control recall per block", rt - rc,
      spec.statistics.margins.min_top_recall, spec, "sign-flip randomization test on the treatment's recall; interval by inverting it", `treatment's recall of the true top-${c.top_n}`);
  }
  if (c.max_totals_error !== undefined) {
    criteria.max_totals_error = guarantee("max_totals_error", "<=", c.max_totals_error, units.map((u) => unitError(u.arms.treatment)), units.map((u) => unitError(u.arms.control)), c.alpha, "no scrape");
  }
  if (c.min_critical_recall !== undefined) {
    const withCrit = units.filter((u) => u.arms.treatment.criticalTotal > 0);
    criteria.min_critical_recall = guarantee("min_critical_recall", ">=", c.min_critical_recall, withCrit.map((u) => u.arms.treatment.criticalKept / u.arms.treatment.criticalTotal),
      withCrit.map((u) => u.arms.control.criticalKept / u.arms.control.criticalTotal), c.alpha, "no critical process in the scrapes");
  }
  if (c.max_hog_latency !== undefined) {
    const lat = (h: Hog, arm: Arm) => h.latency[arm] ?? Infinity;
    // A hog that left before the deadline without being kept was never seen: a miss as well.
    criteria.max_hog_latency = guarantee("max_hog_latency", "<=", c.max_hog_latency, hogs.map((h) => lat(h, "treatment")), hogs.map((h) => lat(h, "control")), c.alpha, "no process entered the top-N after the first interval", "new hogs");
  }
  const arms = {} as Record<Arm, ArmSummary>;
  for (const arm of ARMS) {
    const top = sum(units.map((u) => u.arms[arm].topTotal));
    const crit = sum(units.map((u) => u.arms[arm].criticalTotal));
    const lats = hogs.map((h) => h.latency[arm]).filter((l): l is number => l !== null);
    arms[arm] = {
      points: cost.points[arm], bytes: cost.bytes[arm], series: cost.series[arm],
      worst_totals_error: Math.max(0, ...units.map((u) => unitError(u.arms[arm]))),
      top_recall: top > 0 ? sum(units.map((u) => u.arms[arm].topKept)) / top : null,
      critical_recall: crit > 0 ? sum(units.map((u) => u.arms[arm].criticalKept)) / crit : null,
      hogs: hogs.length, hog_latency_mean: lats.length > 0 ? sum(lats) / lats.length : null, hog_latency_max: lats.length > 0 ? Math.max(...lats) : null,
      hogs_never_kept: hogs.length - lats.length,
    };
  }
  const byInterval = new Map<number, Unit[]>();
  for (const u of units) {
    let l = byInterval.get(u.interval);
    if (!l) byInterval.set(u.interval, (l = []));
    l.push(u);
  }
  const timeline = [...byInterval].sort((p, q) => p[0] - q[0]).map(([i, us]) => {
    const recall = (arm: Arm) => { const t = sum(us.map((u) => u.arms[arm].topTotal)); return t > 0 ? sum(us.map((u) => u.arms[arm].topKept)) / t : null; };
    return {
      interval: i, recorded: sum(us.map((u) => u.recorded.points)),
      points: { control: sum(us.map((u) => u.arms.control.points)), treatment: sum(us.map((u) => u.arms.treatment.points)) },
      top_recall: { control: recall("control"), treatment: recall("treatment") },
      totals_error: { control: Math.max(0, ...us.map((u) => unitError(u.arms.control))), treatment: Math.max(0, ...us.map((u) => unitError(u.arms.treatment))) },
    };
  });
  // The verdict: a violated criterion fails the experiment; a pass needs every criterion passed
  // and the power the spec asks of every statistical one.
  const list = Object.values(criteria);
  const reasons: string[] = [];
  let verdict: Outcome;
  const failed = list.filter((x) => x.outcome === "fail");
  const open = list.filter((x) => x.outcome === "inconclusive");
  const weak = list.filter((x) => x.kind === "statistical" && (x.power ?? 0) < c.min_power);
  if (failed.length > 0) {
    verdict = "fail";
    for (const x of failed) reasons.push(`${x.name} failed: ${x.why}`);
  } else if (open.length > 0 || weak.length > 0) {
    verdict = "inconclusive";
    for (const x of open) reasons.push(`${x.name} inconclusive: ${x.why}`);
    for (const x of weak) reasons.push(`${x.name}: power ${(x.power ?? 0).toFixed(2)} < min_power ${c.min_power} at a margin of ${x.power_margin} (detectable at that power: ${Number.isFinite(x.detectable_margin) ? x.detectable_margin!.toFixed(4) : "nothing"})`);
  } else {
    verdict = "pass";
    for (const x of list) reasons.push(`${x.name} passed: ${x.why}`);
  }
  return {
    verdict, reasons, hypothesis: spec.hypothesis, control: shown(spec.control, cwd), treatment: shown(spec.treatment, cwd), inputs, units: units.length, blocks: bs.length,
    alpha: c.alpha, min_power: c.min_power, metrics: spec.metrics ?? ["cost", "totals_error", "top_recall", "critical_recall", "hog_latency"], criteria, cost, arms, timeline,
  };
}
