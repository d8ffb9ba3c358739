// cumulative_to_delta as the collector's processor does it for the metrics it is told: per
// series (resource attributes, metric, point attributes), the difference from the previous point,
// the first point of a series dropped, a decrease treated as a reset.
import { attributeSetKey } from "../host/apply.ts";
import type { MetricsData, ResourceMetrics } from "../host/otlp.ts";
import { pointValue } from "../host/otlp.ts";

export class CumulativeToDelta {
  // asInt keeps an int point's exact value: a number loses digits above 2^53.
  private last = new Map<string, { v: number; asInt?: string; t: string }>();
  constructor(private readonly metrics: ReadonlySet<string>) {}

  run(batch: MetricsData): MetricsData {
    return { resourceMetrics: batch.resourceMetrics.map((rm) => this.resource(rm)) };
  }

  private resource(rm: ResourceMetrics): ResourceMetrics {
    const id = attributeSetKey(rm.resource?.attributes);
    return {
      ...rm,
      scopeMetrics: rm.scopeMetrics.map((sm) => ({
        ...sm,
        metrics: sm.metrics.flatMap((m) => {
          if (!this.metrics.has(m.name) || !m.sum || m.sum.aggregationTemporality !== 2 || !m.sum.isMonotonic) return [m];
          const dataPoints = m.sum.dataPoints.flatMap((dp) => {
            const key = `${id}|${m.name}|${attributeSetKey(dp.attributes)}`;
            const prev = this.last.get(key);
            const v = pointValue(dp);
            this.last.set(key, { v, asInt: dp.asInt === undefined ? undefined : String(dp.asInt), t: dp.timeUnixNano ?? "0" });
            if (!prev || v < prev.v) return [];
            const delta = { ...dp, startTimeUnixNano: prev.t };
            if (dp.asInt !== undefined) delta.asInt = String(BigInt(dp.asInt) - BigInt(prev.asInt ?? Math.round(prev.v)));
            else delta.asDouble = v - prev.v;
            return [delta];
          });
          return dataPoints.length > 0 ? [{ ...m, sum: { ...m.sum, aggregationTemporality: 1, dataPoints } }] : [];
        }),
      })),
    };
  }
}
