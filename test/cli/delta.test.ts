// The simulator's cumulative_to_delta: series keyed like the collector's, int values exact.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CumulativeToDelta } from "../../src/simulate/delta.ts";
import type { MetricsData } from "../../src/host/otlp.ts";

function batch(asInt: string, t: number, attrs: [string, string][]): MetricsData {
  return { resourceMetrics: [{
    resource: { attributes: attrs.map(([key, v]) => ({ key, value: { stringValue: v } })) },
    scopeMetrics: [{ metrics: [{ name: "process.disk.io", sum: { aggregationTemporality: 2, isMonotonic: true,
      dataPoints: [{ timeUnixNano: String(t), asInt, attributes: [{ key: "direction", value: { stringValue: "read" } }] }] } }] }],
  }] };
}

const points = (b: MetricsData) => b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.flatMap((m) => m.sum?.dataPoints ?? [])));

describe("simulated cumulative_to_delta", () => {
  it("drops a series' first point, then sends differences, exact for ints above 2^53", () => {
    const c2d = new CumulativeToDelta(new Set(["process.disk.io"]));
    const attrs: [string, string][] = [["host.name", "h"], ["process.pid", "7"]];
    assert.equal(points(c2d.run(batch("9007199254740993", 1, attrs))).length, 0);
    const [d] = points(c2d.run(batch("9007199254740999", 2, attrs)));
    assert.equal(d.asInt, "6");
    assert.equal(d.startTimeUnixNano, "1");
  });

  it("is one series whatever the order of the resource's attributes", () => {
    const c2d = new CumulativeToDelta(new Set(["process.disk.io"]));
    c2d.run(batch("100", 1, [["host.name", "h"], ["process.pid", "7"]]));
    const [d] = points(c2d.run(batch("150", 2, [["process.pid", "7"], ["host.name", "h"]])));
    assert.equal(d?.asInt, "50");
  });
});
