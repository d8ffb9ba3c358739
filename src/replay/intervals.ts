// Aligning the collector's output with the recording's intervals: the batch processors merge and
// split batches, so each output resource is placed by its points' timestamps, which all come from
// one scrape (one line of the recording). The rolled-up `other` carries the latest timestamp of
// its members, which is also one of that scrape's.
import { points, type MetricsData, type ResourceMetrics } from "../host/otlp.ts";

function* times(rm: ResourceMetrics): Generator<string> {
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const dp of points(m)) if (dp.timeUnixNano) yield dp.timeUnixNano;
}

export function alignToInput(input: MetricsData[], output: MetricsData[]): MetricsData[] {
  const interval = new Map<string, number>();
  input.forEach((b, i) => { for (const rm of b.resourceMetrics) for (const t of times(rm)) interval.set(t, i); });
  const out: MetricsData[] = input.map(() => ({ resourceMetrics: [] }));
  for (const b of output) for (const rm of b.resourceMetrics) {
    for (const t of times(rm)) {
      const i = interval.get(t);
      if (i !== undefined) {
        out[i].resourceMetrics.push(rm);
        break;
      }
    }
  }
  return out;
}
