// Moving a recording in time, so the real collector judges it as it would have live.
//
// cumulative_to_delta (initial_value: auto) sends the first point of a series only when the
// series started at or after the collector did: a process born while it runs is new, one that
// was running before is not. A recording made hours or days ago has all its start times before
// a collector started now, and the first interval of every process born during the recording
// would be lost. Replay therefore shifts every timestamp (times and start times alike, by the
// same amount) so that the recording's first scrape lands just after the collector's start, and
// shifts the output back. Simulate takes the first scrape itself for the collector's start; here
// the collector started up to the time it took to say it is ready earlier (well under a second
// to a few seconds), so a process that started that little before the first scrape counts as new
// in replay and not in simulate. Both agree on every process born after the first scrape.
import { earliestTime, type MetricsData, type Metric, type NumberDataPoint } from "../host/otlp.ts";

type Point = Pick<NumberDataPoint, "timeUnixNano" | "startTimeUnixNano">;

function shiftPoint<P extends Point>(dp: P, by: bigint): P {
  const out = { ...dp };
  for (const k of ["timeUnixNano", "startTimeUnixNano"] as const) {
    const v = dp[k];
    if (v !== undefined && BigInt(v) !== 0n) out[k] = String(BigInt(v) + by);
  }
  return out;
}

/** shiftMetric moves the points of any kind of metric (sum, gauge, histogram, summary, …). */
function shiftMetric(m: Metric, by: bigint): Metric {
  const out: Metric = { ...m };
  for (const [k, v] of Object.entries(m)) {
    const dps = (v as { dataPoints?: unknown } | null)?.dataPoints;
    if (Array.isArray(dps)) out[k] = { ...(v as object), dataPoints: dps.map((dp: Point) => shiftPoint(dp, by)) };
  }
  return out;
}

/** shift moves every set timestamp of batches by `by` nanoseconds (zero start times stay zero). */
export function shift(batches: readonly MetricsData[], by: bigint): MetricsData[] {
  return batches.map((b) => ({
    resourceMetrics: b.resourceMetrics.map((rm) => ({ ...rm, scopeMetrics: rm.scopeMetrics.map((sm) => ({ ...sm, metrics: sm.metrics.map((m) => shiftMetric(m, by)) })) })),
  }));
}

/**
 * rebaseOffset is how far to move a recording so that its first scrape lands at `at` (unix
 * nanoseconds), the earliest moment the collector can be sure to have started by.
 */
export function rebaseOffset(recording: readonly MetricsData[], at: bigint): bigint {
  const first = earliestTime(recording[0]);
  return first === 0n ? 0n : at - first;
}
