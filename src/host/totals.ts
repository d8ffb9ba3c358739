// Reading a stream the way the guarantees and the reports talk about it: a resource's attribute,
// the number of data points, a metric's total; what a host used per interval as the recording
// says it (not as a delta conversion says it); series per process; cost in backends' units.
import { gzipSync } from "node:zlib";
import { attributeSetKey } from "./apply.ts";
import { encodeMetricsProto } from "./otlp-proto.ts";
import { earliestTime, pointValue, points, valueString, type MetricsData, type NumberDataPoint, type ResourceMetrics } from "./otlp.ts";

/** resourceAttr is a resource attribute as a string, or undefined. */
export function resourceAttr(rm: ResourceMetrics, key: string): string | undefined {
  const kv = rm.resource?.attributes?.find((a) => a.key === key);
  return kv ? valueString(kv.value) : undefined;
}

export function countPoints(d: MetricsData): number {
  let n = 0;
  for (const rm of d.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += points(m).length;
  return n;
}

/** total sums every point of metric over all resources. */
export function total(d: MetricsData, metric: string): number {
  let t = 0;
  for (const rm of d.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
    if (m.name === metric) for (const dp of points(m)) t += pointValue(dp);
  }
  return t;
}

/** The metrics the totals are about. */
export const CPU_METRIC = "process.cpu.time";
export const MEMORY_METRIC = "process.memory.usage";

const AGGREGATION_CUMULATIVE = 2;

/** hostName is the host a resource belongs to ("" when it does not say). */
export function hostName(rm: ResourceMetrics): string {
  return resourceAttr(rm, "host.name") ?? "";
}

/**
 * processStart is when a process resource's process started, in unix nanoseconds: the earliest
 * set start time of its cumulative sums (the scraper starts every process metric at the process's
 * creation; cumulative_to_delta moves the start of the sums it converts, not the others).
 */
export function processStart(rm: ResourceMetrics): string | undefined {
  let min: bigint | undefined;
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
    if (m.sum?.aggregationTemporality !== AGGREGATION_CUMULATIVE) continue;
    for (const dp of m.sum.dataPoints) {
      const s = BigInt(dp.startTimeUnixNano ?? 0);
      if (s > 0n && (min === undefined || s < min)) min = s;
    }
  }
  return min?.toString();
}

/** Totals are what one host used in one interval. */
export interface Totals {
  /** CPU seconds: the increase of process.cpu.time over the interval */
  cpu: number;
  /** bytes: the sum of process.memory.usage (int points exact) */
  memory: bigint;
  /** the part of memory in double points, if any */
  memoryDouble: number;
}

const zero = (): Totals => ({ cpu: 0, memory: 0n, memoryDouble: 0 });

/** memoryOf is a Totals' memory as one number. */
export const memoryOf = (t: Totals): number => Number(t.memory) + t.memoryDouble;

/**
 * intervalTotals is what each host used in each interval (one batch each), read from the stream
 * itself, whatever its temporality:
 * - CPU: a delta point counts as it is; a cumulative point counts its increase since the series'
 *   previous point (a series is the resource's attributes, the point's attributes and its start
 *   time). A series seen for the first time counts from zero when it started at or after the
 *   recording's first scrape (which stands for the collector's start): a process born during the
 *   recording, all of whose use the recording saw. Whether it started before or after the previous
 *   scrape cannot be told reliably: the scraper reads processes one by one after listing them, and
 *   start times are precise to about a second. A series that started before the first scrape and
 *   is seen for the first time later counts nothing: nothing saw what it had used before. A
 *   decrease is a restart and counts from zero.
 * - memory: the sum of the process.memory.usage points.
 * The result has one map per batch, host name to totals.
 */
export function intervalTotals(batches: readonly MetricsData[]): Map<string, Totals>[] {
  const last = new Map<string, number>();
  const first = earliestTime(batches[0]);
  return batches.map((b) => {
    const out = new Map<string, Totals>();
    for (const rm of b.resourceMetrics) {
      const host = hostName(rm);
      let t = out.get(host);
      if (!t) out.set(host, (t = zero()));
      const id = attributeSetKey(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
        if (m.name === MEMORY_METRIC) {
          for (const dp of points(m)) {
            if (dp.asInt !== undefined) t.memory += BigInt(dp.asInt);
            else t.memoryDouble += pointValue(dp);
          }
        }
        if (m.name !== CPU_METRIC) continue;
        for (const dp of points(m)) {
          t.cpu += increase(m.sum?.aggregationTemporality === AGGREGATION_CUMULATIVE, `${id}|${attributeSetKey(dp.attributes)}`, dp, first, last);
        }
      }
    }
    return out;
  });
}

function increase(cumulative: boolean, series: string, dp: NumberDataPoint, firstScrape: bigint, last: Map<string, number>): number {
  const v = pointValue(dp);
  if (!cumulative) return v;
  const start = BigInt(dp.startTimeUnixNano ?? 0);
  const key = `${series}|${start}`;
  const prev = last.get(key);
  last.set(key, v);
  if (prev === undefined) return start >= firstScrape && start !== BigInt(dp.timeUnixNano ?? 0) ? v : 0;
  return v >= prev ? v - prev : v;
}

/** IntervalComparison is one interval's totals over all hosts, recorded and exported. */
export interface IntervalComparison { cpu: { recorded: number; output: number }; memory: { recorded: number; output: number } }

/**
 * compareTotals compares what the recording says each host used in each interval with what the
 * output says (kept processes and `other` alike): per interval, and the largest relative error
 * over intervals and hosts, for CPU and memory. Intervals where a host used nothing are skipped.
 */
export function compareTotals(recording: readonly MetricsData[], output: readonly MetricsData[]): { intervals: IntervalComparison[]; error: { cpu: number; memory: number } } {
  const want = intervalTotals(recording);
  const got = intervalTotals(output);
  const error = { cpu: 0, memory: 0 };
  const intervals = want.map((hosts, i) => {
    const c: IntervalComparison = { cpu: { recorded: 0, output: 0 }, memory: { recorded: 0, output: 0 } };
    for (const [host, w] of hosts) {
      const g = got[i]?.get(host) ?? zero();
      const rel = (a: number, b: number) => (a === 0 ? 0 : Math.abs(b - a) / Math.abs(a));
      error.cpu = Math.max(error.cpu, rel(w.cpu, g.cpu));
      error.memory = Math.max(error.memory, rel(memoryOf(w), memoryOf(g)));
    }
    for (const w of hosts.values()) [c.cpu.recorded, c.memory.recorded] = [c.cpu.recorded + w.cpu, c.memory.recorded + memoryOf(w)];
    for (const g of got[i]?.values() ?? []) [c.cpu.output, c.memory.output] = [c.cpu.output + g.cpu, c.memory.output + memoryOf(g)];
    return c;
  });
  return { intervals, error };
}

/**
 * exportIdentity is who a resource speaks for: a process (host, pid and start time), or, for a
 * resource without a pid (the roll-up `other`), its host.
 */
export function exportIdentity(rm: ResourceMetrics): string {
  const pid = resourceAttr(rm, "process.pid");
  return pid === undefined ? `${hostName(rm)}|host` : `${hostName(rm)}|${pid}|${processStart(rm) ?? ""}`;
}

/**
 * seriesPerProcess is, over a run, the number of distinct resource attribute sets each identity
 * (exportIdentity) was exported under, averaged over the identities: 1 when every process keeps
 * one series for as long as it runs. A backend starts a new series for every new set (a score that
 * moves, a count in an attribute, a tier that changes).
 */
export function seriesPerProcess(batches: readonly MetricsData[]): number {
  const sets = new Map<string, Set<string>>();
  for (const b of batches) for (const rm of b.resourceMetrics) {
    const id = exportIdentity(rm);
    let s = sets.get(id);
    if (!s) sets.set(id, (s = new Set()));
    s.add(attributeSetKey(rm.resource?.attributes));
  }
  let n = 0;
  for (const s of sets.values()) n += s.size;
  return sets.size === 0 ? 1 : n / sets.size;
}

/** Cost is a stream in each backend's billing unit. */
export interface Cost {
  /** data points (per-point pricing) */
  points: number;
  /** bytes on the wire: each batch as OTLP protobuf, gzip-compressed (ingest pricing) */
  bytes: number;
  /** active series: distinct metric + resource attributes + point attributes (series pricing) */
  series: number;
}

export function cost(batches: readonly MetricsData[]): Cost {
  const series = new Set<string>();
  let pts = 0;
  let bytes = 0;
  for (const b of batches) {
    pts += countPoints(b);
    if (b.resourceMetrics.length > 0) bytes += gzipSync(encodeMetricsProto(b)).length;
    for (const rm of b.resourceMetrics) {
      const r = attributeSetKey(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const dp of points(m)) series.add(`${m.name}|${r}|${attributeSetKey(dp.attributes)}`);
    }
  }
  return { points: pts, bytes, series: series.size };
}
