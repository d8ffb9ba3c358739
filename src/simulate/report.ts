// What simulate and replay report about a recording and its optimized output. Everything is
// measured against the recording as recorded (cumulative counters and all), never against the
// run's own delta conversion of it: what a conversion loses shows as an error.
import { earliestTime, type MetricsData } from "../host/otlp.ts";
import { compareTotals, cost, countPoints, resourceAttr, seriesPerProcess, type Cost, type IntervalComparison } from "../host/totals.ts";

export interface IntervalReport extends IntervalComparison { pointsIn: number; pointsOut: number; resourcesIn: number; resourcesOut: number }

export interface Report {
  intervals: IntervalReport[];
  /** data points recorded (what the host sends without NRDOT) and exported */
  pointsIn: number;
  pointsOut: number;
  reduction: number;
  tiers: Record<string, number>;
  criticalKept: number;
  /** critical processes rolled up or dropped; null when the run cannot tell (replay) */
  criticalDropped: number | null;
  /**
   * largest relative error, over intervals and hosts, of the output's CPU and memory totals (kept
   * processes and `other`) against what the recording says each host used in the interval
   */
  totalsError: { cpu: number; memory: number };
  /** distinct resource attribute sets per exported process (or host `other`), averaged; 1 is ideal */
  seriesPerProcess: { before: number; after: number };
  /** the recording and the output in each backend's billing unit, over the whole run */
  cost: { before: Cost; after: Cost };
  costPerMillionPoints: number;
  monthlyCost: { before: number; after: number };
}

/**
 * report compares the recording (one batch per scrape, as recorded) with the output aligned to it
 * (one batch per scrape). critical lists, per interval, the pids a stage marked critical;
 * undefined when unknown.
 */
export function report(recording: MetricsData[], output: MetricsData[], critical: Set<string>[] | undefined, pricePerMillion: number, intervalSeconds: number): Report {
  const totals = compareTotals(recording, output);
  const intervals = recording.map((b, i) => ({
    pointsIn: countPoints(b), pointsOut: countPoints(output[i]), resourcesIn: b.resourceMetrics.length, resourcesOut: output[i].resourceMetrics.length, ...totals.intervals[i],
  }));
  const before = cost(recording);
  const after = cost(output);
  const tiers: Record<string, number> = {};
  let criticalKept = 0;
  let criticalDropped = 0;
  recording.forEach((_, i) => {
    const kept = new Set(output[i].resourceMetrics.map((rm) => resourceAttr(rm, "process.pid")));
    for (const rm of output[i].resourceMetrics) {
      const t = resourceAttr(rm, "nrdot.rollup") === "true" ? "other" : resourceAttr(rm, "nrdot.tier") ?? "(none)";
      tiers[t] = (tiers[t] ?? 0) + 1;
      if (t === "critical") criticalKept++;
    }
    for (const pid of critical?.[i] ?? []) if (!kept.has(pid)) criticalDropped++;
  });
  const perMonth = (n: number) => (n / Math.max(1, recording.length)) * (30 * 86400 / intervalSeconds) / 1e6 * pricePerMillion;
  return {
    intervals, pointsIn: before.points, pointsOut: after.points, reduction: before.points > 0 ? 1 - after.points / before.points : 0, tiers,
    criticalKept, criticalDropped: critical ? criticalDropped : null, totalsError: totals.error,
    seriesPerProcess: { before: seriesPerProcess(recording), after: seriesPerProcess(output) }, cost: { before, after },
    costPerMillionPoints: pricePerMillion, monthlyCost: { before: perMonth(before.points), after: perMonth(after.points) },
  };
}

/**
 * scrapeInterval is the recording's scrape interval in seconds: the median time between the
 * starts of consecutive scrapes (10 when it has fewer than two).
 */
export function scrapeInterval(recording: readonly MetricsData[]): number {
  const starts = recording.map(earliestTime).filter((t) => t > 0n);
  const gaps = starts.slice(1).map((t, i) => Number(t - starts[i]) / 1e9).filter((g) => g > 0).sort((a, b) => a - b);
  return gaps.length > 0 ? Math.round(gaps[Math.floor(gaps.length / 2)]) || gaps[Math.floor(gaps.length / 2)] : 10;
}

export function formatReport(r: Report): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const ratio = (a: number, b: number) => (a > 0 ? ` (${pct(1 - b / a)} fewer)` : "");
  const { before: b, after: a } = r.cost;
  return [
    `intervals:          ${r.intervals.length}`,
    `data points:        ${b.points} recorded, ${a.points} out${ratio(b.points, a.points)}`,
    `bytes (OTLP, gzip): ${b.bytes} recorded, ${a.bytes} out${ratio(b.bytes, a.bytes)}`,
    `active series:      ${b.series} recorded, ${a.series} out${ratio(b.series, a.series)}`,
    `series per process: ${r.seriesPerProcess.before.toFixed(2)} recorded, ${r.seriesPerProcess.after.toFixed(2)} out`,
    `resources out:      ${Object.entries(r.tiers).sort().map(([t, n]) => `${t} ${n}`).join(", ")}`,
    `critical:           ${r.criticalKept} kept, ${r.criticalDropped ?? "(unknown in replay: see simulate)"} dropped`,
    `totals error:       cpu ${(r.totalsError.cpu * 100).toFixed(3)}%, memory ${(r.totalsError.memory * 100).toFixed(3)}% (largest per interval and host, against the recording)`,
    `cost per month:     ${r.monthlyCost.before.toFixed(2)} -> ${r.monthlyCost.after.toFixed(2)} at ${r.costPerMillionPoints} per million points (per host)`,
  ].join("\n") + "\n";
}
