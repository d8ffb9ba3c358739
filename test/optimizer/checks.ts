// The optimizer's guarantees (DESIGN.md, "Correctness that users will check"), as functions of
// an input batch and the optimized output batch.
import type { MetricsData, ResourceMetrics } from "../../src/host/otlp.ts";
import { pointValue, valueString } from "../../src/host/otlp.ts";
import { resourceAttr as attr, total } from "../../src/host/totals.ts";

export { countPoints, resourceAttr as attr, total } from "../../src/host/totals.ts";

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

/** monotonicCumulative yields (series id, value, time) for every monotonic cumulative point. */
export function* monotonicCumulative(d: MetricsData): Generator<[string, number]> {
  for (const rm of d.resourceMetrics) {
    const id = (rm.resource?.attributes ?? []).filter((a) => !a.key.startsWith("nrdot.")).map((a) => `${a.key}=${valueString(a.value)}`).join(",");
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
      if (!m.sum?.isMonotonic || m.sum.aggregationTemporality !== 2) continue;
      for (const dp of m.sum.dataPoints) {
        yield [`${id}|${m.name}|${(dp.attributes ?? []).map((a) => valueString(a.value)).join(",")}`, pointValue(dp)];
      }
    }
  }
}

/** summary is a canonical, host-independent listing of one optimized batch. */
export function summary(d: MetricsData): string[] {
  return d.resourceMetrics.map((rm) => {
    const score = attr(rm, "nrdot.score");
    return [attr(rm, "process.pid") ?? "other", attr(rm, "nrdot.tier") ?? "", score === undefined ? "" : Number(score).toFixed(9),
      attr(rm, "nrdot.rollup.count") ?? ""].join(":");
  }).sort();
}
