// Reading a stream the way the guarantees and the reports talk about it: a resource's attribute,
// the number of data points, a metric's total over all resources.
import { pointValue, points, valueString, type MetricsData, type ResourceMetrics } from "./otlp.ts";

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
