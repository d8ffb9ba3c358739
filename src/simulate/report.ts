// What simulate and replay report about an input stream and its optimized output.
import type { MetricsData } from "../host/otlp.ts";
import { countPoints, resourceAttr, total } from "../host/totals.ts";

export interface IntervalReport { pointsIn: number; pointsOut: number; resourcesIn: number; resourcesOut: number }

export interface Report {
  intervals: IntervalReport[];
  pointsIn: number;
  pointsOut: number;
  reduction: number;
  tiers: Record<string, number>;
  criticalKept: number;
  /** critical processes rolled up or dropped; null when the run cannot tell (replay) */
  criticalDropped: number | null;
  /** largest relative error of the per-interval CPU and memory totals */
  totalsError: { cpu: number; memory: number };
  costPerMillionPoints: number;
  monthlyCost: { before: number; after: number };
}

/** report compares input batches (after any delta conversion) with the optimized output. */
/** critical lists, per interval, the pids a stage marked critical; undefined when unknown. */
export function report(input: MetricsData[], output: MetricsData[], critical: Set<string>[] | undefined, pricePerMillion: number, intervalSeconds: number): Report {
  const intervals = input.map((b, i) => ({ pointsIn: countPoints(b), pointsOut: countPoints(output[i]), resourcesIn: b.resourceMetrics.length, resourcesOut: output[i].resourceMetrics.length }));
  const pointsIn = intervals.reduce((n, x) => n + x.pointsIn, 0);
  const pointsOut = intervals.reduce((n, x) => n + x.pointsOut, 0);
  const tiers: Record<string, number> = {};
  let criticalKept = 0;
  let criticalDropped = 0;
  const err = { cpu: 0, memory: 0 };
  input.forEach((b, i) => {
    const kept = new Set(output[i].resourceMetrics.map((rm) => resourceAttr(rm, "process.pid")));
    for (const rm of output[i].resourceMetrics) {
      const t = resourceAttr(rm, "nrdot.rollup") === "true" ? "other" : resourceAttr(rm, "nrdot.tier") ?? "(none)";
      tiers[t] = (tiers[t] ?? 0) + 1;
      if (t === "critical") criticalKept++;
    }
    for (const pid of critical?.[i] ?? []) if (!kept.has(pid)) criticalDropped++;
    for (const [k, m] of [["cpu", "process.cpu.time"], ["memory", "process.memory.usage"]] as const) {
      const want = total(b, m);
      if (want > 0) err[k] = Math.max(err[k], Math.abs(total(output[i], m) - want) / want);
    }
  });
  const perMonth = (n: number) => (n / Math.max(1, input.length)) * (30 * 86400 / intervalSeconds) / 1e6 * pricePerMillion;
  return {
    intervals, pointsIn, pointsOut, reduction: pointsIn > 0 ? 1 - pointsOut / pointsIn : 0, tiers, criticalKept, criticalDropped: critical ? criticalDropped : null,
    totalsError: err, costPerMillionPoints: pricePerMillion, monthlyCost: { before: perMonth(pointsIn), after: perMonth(pointsOut) },
  };
}

export function formatReport(r: Report): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `intervals:        ${r.intervals.length}`,
    `data points:      ${r.pointsIn} in, ${r.pointsOut} out (${pct(r.reduction)} fewer)`,
    `resources out:    ${Object.entries(r.tiers).sort().map(([t, n]) => `${t} ${n}`).join(", ")}`,
    `critical:         ${r.criticalKept} kept, ${r.criticalDropped ?? "(unknown in replay: see simulate)"} dropped`,
    `totals error:     cpu ${pct(r.totalsError.cpu)}, memory ${pct(r.totalsError.memory)} (largest per interval)`,
    `cost per month:   ${r.monthlyCost.before.toFixed(2)} -> ${r.monthlyCost.after.toFixed(2)} at ${r.costPerMillionPoints} per million points (per host)`,
  ].join("\n") + "\n";
}
