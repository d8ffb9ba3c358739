// The optimizer's guarantees (README, "What the optimizer guarantees"), as functions of input
// batches and the optimized output batches. collector/wasmprocessor/guarantees_test.go checks the
// Go host the same way.
import type { MetricsData, ResourceMetrics } from "../../src/host/otlp.ts";
import { attributeSetKey } from "../../src/host/apply.ts";
import { pointValue, points } from "../../src/host/otlp.ts";
import { resourceAttr as attr, total } from "../../src/host/totals.ts";

export { countPoints, resourceAttr as attr, seriesPerProcess, total } from "../../src/host/totals.ts";

function metricTotal(rm: ResourceMetrics, metric: string): number {
  return total({ resourceMetrics: [rm] }, metric);
}

/** topPids returns the pids of the n resources with the largest totals of metric. */
export function topPids(d: MetricsData, metric: string, n: number): string[] {
  return d.resourceMetrics
    .map((rm) => ({ pid: attr(rm, "process.pid")!, v: metricTotal(rm, metric) }))
    .filter((x) => x.v > 0)
    .sort((a, b) => b.v - a.v)
    .slice(0, n)
    .map((x) => x.pid);
}

export function pids(d: MetricsData): Set<string> {
  return new Set(d.resourceMetrics.map((rm) => attr(rm, "process.pid")).filter((p): p is string => p !== undefined));
}

/**
 * ExactTotal is a metric's total over a batch: int points summed exactly, double points summed
 * in order with the sum of their magnitudes and their number, which bound the rounding.
 */
export interface ExactTotal { ints: bigint; doubles: number; magnitude: number; terms: number }

export function exactTotal(d: MetricsData, metric: string): ExactTotal {
  const t: ExactTotal = { ints: 0n, doubles: 0, magnitude: 0, terms: 0 };
  for (const rm of d.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
    if (m.name !== metric) continue;
    for (const dp of points(m)) {
      if (dp.asInt !== undefined) t.ints += BigInt(dp.asInt);
      else {
        const v = pointValue(dp);
        t.doubles += v;
        t.magnitude += Math.abs(v);
        t.terms++;
      }
    }
  }
  return t;
}

/**
 * totalsDiffer says how the output's total of a metric differs from the input's, or undefined
 * when they are equal as the README claims: int points (memory, disk bytes) to the unit. Double
 * points (CPU seconds) cannot be: `other` adds its members in one order and the input total adds
 * every process in another, and float addition rounds. Summing n terms rounds by at most
 * (n-1)·2⁻⁵³·Σ|xᵢ| (Higham, Accuracy and Stability of Numerical Algorithms, §4.2); the input total
 * is one such sum, the output's another whose terms include the roll-up's own sums, so the two may
 * differ by at most 2n·2⁻⁵³·Σ|xᵢ|, and by nothing more: not one process's share is missing.
 */
export function totalsDiffer(input: MetricsData, output: MetricsData, metric: string): string | undefined {
  const want = exactTotal(input, metric);
  const got = exactTotal(output, metric);
  if (got.ints !== want.ints) return `ints ${got.ints} vs ${want.ints}`;
  const bound = 2 * Math.max(want.terms, 1) * 2 ** -53 * want.magnitude;
  if (Math.abs(got.doubles - want.doubles) > bound) return `doubles ${got.doubles} vs ${want.doubles} (rounding allows ±${bound})`;
  return undefined;
}

/**
 * counterViolations is every place a backend would see a counter go down in a stream of batches:
 * a monotonic cumulative series (resource attributes, metric, point attributes, start time) below
 * its previous value, or a monotonic delta series re-accumulated as deltatocumulative does
 * (resource attributes, metric, point attributes) whose running sum goes down: a negative delta.
 * The resource attributes NRDOT writes (nrdot.*) do not make a series of their own here: a count
 * or a score that changes every interval must not hide an `other` whose counter goes down.
 */
export function counterViolations(batches: readonly MetricsData[]): string[] {
  const last = new Map<string, number>();
  const out: string[] = [];
  batches.forEach((b, i) => {
    for (const rm of b.resourceMetrics) {
      const id = attributeSetKey(rm.resource?.attributes?.filter((a) => !a.key.startsWith("nrdot.")));
      for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
        if (!m.sum?.isMonotonic) continue;
        const cumulative = m.sum.aggregationTemporality === 2;
        for (const dp of m.sum.dataPoints) {
          const series = `${id}|${m.name}|${attributeSetKey(dp.attributes)}${cumulative ? `|${BigInt(dp.startTimeUnixNano ?? 0)}` : ""}`;
          const prev = last.get(series) ?? 0;
          const now = cumulative ? pointValue(dp) : prev + pointValue(dp);
          if (now < prev) out.push(`interval ${i}: ${m.name} of ${attr(rm, "process.pid") ?? attr(rm, "process.executable.name") ?? "?"} went from ${prev} to ${now}`);
          last.set(series, now);
        }
      }
    }
  });
  return out;
}

/** rollupCount is how many resources an `other` stands for: its count data point or attribute. */
export function rollupCount(rm: ResourceMetrics): string | undefined {
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
    if (m.name === "nrdot.rollup.count") for (const dp of points(m)) return String(dp.asInt ?? pointValue(dp));
  }
  return attr(rm, "nrdot.rollup.count");
}

/**
 * summary is a canonical, host-independent listing of one optimized batch's decisions: each
 * resource's pid ("other" for a roll-up), tier and, for a roll-up, how many it stands for.
 */
export function summary(d: MetricsData): string[] {
  return d.resourceMetrics.map((rm) => [attr(rm, "process.pid") ?? "other", attr(rm, "nrdot.tier") ?? "", rollupCount(rm) ?? ""].join(":")).sort();
}
