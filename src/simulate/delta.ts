// cumulative_to_delta as the collector's processor (contrib cumulativetodeltaprocessor v0.158,
// internal/tracking) does it for the metrics it is told:
// - of sums, only monotonic cumulative ones are converted (the processor converts cumulative
//   histograms and exponential histograms too; the process scraper emits none, and here they pass
//   unchanged); the series is the resource's attributes, the scope, the metric (name, unit, int or
//   double) and the point's attributes AND its start time;
// - a later point sends the difference from the previous one, started at the previous one's time;
//   a decrease is a reset: the point is dropped and becomes the new reference;
// - a series' first point depends on `initial_value`: `auto` (the default) sends it whole, started
//   at the series' start, when the series started at or after the collector did and its time is
//   not its start time, and drops it otherwise; `keep` sends it whole (start time 0); `drop` never;
// - points flagged "no recorded value" are dropped, NaN doubles pass unchanged;
// - a converted metric left without points is removed; then every scope without metrics, and
//   every resource without scopes.
// max_staleness is not modelled: it forgets a series unseen for that long by the wall clock, and a
// process's series keeps its identity (start time included) only while it runs.
import { attributeSetKey } from "../host/apply.ts";
import { earliestTime, type MetricsData, type NumberDataPoint, type ResourceMetrics } from "../host/otlp.ts";

export type InitialValue = "auto" | "keep" | "drop";
export const INITIAL_VALUES: readonly InitialValue[] = ["auto", "keep", "drop"];

export interface DeltaOptions {
  initialValue?: InitialValue;
  /**
   * when the collector started, in unix nanoseconds; `auto` judges a new series against it.
   * Default: the earliest timestamp of the first batch run (the recording's first scrape).
   */
  startTime?: bigint;
}

const NO_RECORDED_VALUE = 1;

interface Last { int?: bigint; double?: number; t: string }

export class CumulativeToDelta {
  private last = new Map<string, Last>();
  private readonly initialValue: InitialValue;
  private startTime: bigint | undefined;
  private readonly converts: (name: string) => boolean;

  /** metrics are the names it converts (its include/exclude), as a set or a predicate. */
  constructor(metrics: ReadonlySet<string> | ((name: string) => boolean), opts: DeltaOptions = {}) {
    this.converts = typeof metrics === "function" ? metrics : (name) => metrics.has(name);
    this.initialValue = opts.initialValue ?? "auto";
    this.startTime = opts.startTime;
  }

  run(batch: MetricsData): MetricsData {
    this.startTime ??= earliestTime(batch);
    const resourceMetrics: ResourceMetrics[] = [];
    for (const rm of batch.resourceMetrics) {
      const r = this.resource(rm);
      if (r) resourceMetrics.push(r);
    }
    return { resourceMetrics };
  }

  private resource(rm: ResourceMetrics): ResourceMetrics | undefined {
    const id = attributeSetKey(rm.resource?.attributes);
    const scopeMetrics = rm.scopeMetrics.flatMap((sm) => {
      const scope = `${sm.scope?.name ?? ""}\u001e${sm.scope?.version ?? ""}`;
      const metrics = sm.metrics.flatMap((m) => {
        if (!this.converts(m.name) || !m.sum || m.sum.aggregationTemporality !== 2 || !m.sum.isMonotonic) return [m];
        const dataPoints = m.sum.dataPoints.flatMap((dp) => this.point(`${id}|${scope}|${m.name}|${m.unit ?? ""}|${attributeSetKey(dp.attributes)}`, dp));
        return dataPoints.length > 0 ? [{ ...m, sum: { ...m.sum, aggregationTemporality: 1, dataPoints } }] : [];
      });
      return metrics.length > 0 ? [{ ...sm, metrics }] : [];
    });
    return scopeMetrics.length > 0 ? { ...rm, scopeMetrics } : undefined;
  }

  private point(series: string, dp: NumberDataPoint): NumberDataPoint[] {
    if ((Number(dp.flags ?? 0) & NO_RECORDED_VALUE) !== 0) return [];
    const isInt = dp.asInt !== undefined;
    const double = isInt ? 0 : Number(dp.asDouble ?? 0);
    if (!isInt && Number.isNaN(double)) return [dp];
    const start = dp.startTimeUnixNano ?? "0";
    const key = `${series}|${isInt ? "i" : "d"}|${BigInt(start)}`;
    const t = dp.timeUnixNano ?? "0";
    const cur: Last = isInt ? { int: BigInt(dp.asInt!), t } : { double, t };
    const prev = this.last.get(key);
    this.last.set(key, cur);
    if (!prev) {
      if (this.initialValue === "drop") return [];
      if (this.initialValue === "keep") {
        const { startTimeUnixNano: _, ...rest } = dp;
        return [rest];
      }
      if (BigInt(start) < this.startTime! || BigInt(t) === BigInt(start)) return [];
      return [dp];
    }
    if (isInt) {
      if (cur.int! < prev.int!) return [];
      return [{ ...dp, startTimeUnixNano: prev.t, asInt: String(BigInt.asIntN(64, cur.int! - prev.int!)) }];
    }
    if (double < prev.double!) return [];
    return [{ ...dp, startTimeUnixNano: prev.t, asDouble: double - prev.double! }];
  }
}

/** MetricFilter is the processor's include or exclude: names (strict or regexp) and metric types. */
export interface MetricFilter { match_type?: string; metrics?: string[]; metric_types?: string[] }

/**
 * metricMatcher is which sums the processor converts, as its constructor builds the filters: a
 * sum whose name include's names match (all when it lists none) and whose type include's types
 * allow (all when it lists none), unless exclude's names match it or its types name sums.
 */
export function metricMatcher(include: MetricFilter | undefined, exclude: MetricFilter | undefined): (name: string) => boolean {
  const names = (f: MetricFilter | undefined): ((name: string) => boolean) | undefined => {
    if (!f?.metrics?.length) return undefined;
    if (f.match_type === "regexp") {
      const res = f.metrics.map((p) => new RegExp(p));
      return (name) => res.some((r) => r.test(name));
    }
    return (name) => f.metrics!.includes(name);
  };
  const sums = (f: MetricFilter | undefined) => (f?.metric_types?.length ? f.metric_types.some((t) => t.toLowerCase() === "sum") : undefined);
  const inc = names(include), exc = names(exclude);
  const incSums = sums(include) ?? true, excSums = sums(exclude) ?? false;
  return (name) => (inc?.(name) ?? true) && incSums && !(exc?.(name) ?? false) && !excSums;
}
