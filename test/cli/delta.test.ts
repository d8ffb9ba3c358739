// The simulator's cumulative_to_delta against contrib's cumulativetodeltaprocessor (v0.158,
// internal/tracking/tracker.go): series keyed like the collector's (start time included), int
// values exact, and a series' first point handled as initial_value says.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CumulativeToDelta, metricMatcher } from "../../src/simulate/delta.ts";
import type { MetricsData, NumberDataPoint } from "../../src/host/otlp.ts";
import { generateHost } from "../fixtures/generate.ts";

function batch(asInt: string, t: number, attrs: [string, string][], start?: number): MetricsData {
  return { resourceMetrics: [{
    resource: { attributes: attrs.map(([key, v]) => ({ key, value: { stringValue: v } })) },
    scopeMetrics: [{ metrics: [{ name: "process.disk.io", sum: { aggregationTemporality: 2, isMonotonic: true,
      dataPoints: [{ timeUnixNano: String(t), asInt, attributes: [{ key: "direction", value: { stringValue: "read" } }], ...(start === undefined ? {} : { startTimeUnixNano: String(start) }) }] } }] }],
  }] };
}

const points = (b: MetricsData) => b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.flatMap((m) => m.sum?.dataPoints ?? [])));
const attrs: [string, string][] = [["host.name", "h"], ["process.pid", "7"]];

describe("simulated cumulative_to_delta", () => {
  it("drops the first point of a series older than the collector, then sends differences, exact for ints above 2^53", () => {
    const c2d = new CumulativeToDelta(new Set(["process.disk.io"]));
    assert.equal(points(c2d.run(batch("9007199254740993", 100, attrs, 50))).length, 0);
    const [d] = points(c2d.run(batch("9007199254740999", 200, attrs, 50)));
    assert.equal(d.asInt, "6");
    assert.equal(d.startTimeUnixNano, "100");
  });

  it("is one series whatever the order of the resource's attributes", () => {
    const c2d = new CumulativeToDelta(new Set(["process.disk.io"]));
    c2d.run(batch("100", 1, [["host.name", "h"], ["process.pid", "7"]]));
    const [d] = points(c2d.run(batch("150", 2, [["process.pid", "7"], ["host.name", "h"]])));
    assert.equal(d?.asInt, "50");
  });

  it("auto: sends the whole first point of a series that started after the collector (the first batch)", () => {
    const c2d = new CumulativeToDelta(new Set(["process.disk.io"]));
    c2d.run(batch("1000", 100, [["process.pid", "1"]], 10));
    const [born] = points(c2d.run(batch("40", 200, attrs, 150)));
    assert.deepEqual([born?.asInt, born?.startTimeUnixNano], ["40", "150"], "born after the collector: all of it is new");
    assert.equal(points(c2d.run(batch("40", 300, [["process.pid", "8"]], 300))).length, 0, "time = start time: dropped");
    const late = new CumulativeToDelta(new Set(["process.disk.io"]), { startTime: 1000n });
    assert.equal(points(late.run(batch("40", 2000, attrs, 150))).length, 0, "started before a collector that started at 1000");
  });

  it("keep sends every first point whole without a start time; drop sends none", () => {
    const keep = new CumulativeToDelta(new Set(["process.disk.io"]), { initialValue: "keep" });
    const [k] = points(keep.run(batch("40", 200, attrs, 150)));
    assert.deepEqual([k?.asInt, k?.startTimeUnixNano], ["40", undefined]);
    const drop = new CumulativeToDelta(new Set(["process.disk.io"]), { initialValue: "drop", startTime: 0n });
    assert.equal(points(drop.run(batch("40", 200, attrs, 150))).length, 0);
  });

  it("keys a series by its start time: a restarted counter is a new series, a decrease a dropped reset", () => {
    const c2d = new CumulativeToDelta(new Set(["process.disk.io"]));
    c2d.run(batch("500", 100, attrs, 100));
    const [restarted] = points(c2d.run(batch("30", 200, attrs, 150)));
    assert.deepEqual([restarted?.asInt, restarted?.startTimeUnixNano], ["30", "150"]);
    assert.equal(points(c2d.run(batch("20", 300, attrs, 150))).length, 0, "a decrease is a reset: nothing sent");
    assert.equal(points(c2d.run(batch("25", 400, attrs, 150)))[0]?.asInt, "5", "from the reset on");
  });

  it("removes a resource left with nothing, converts only what include and exclude let through", () => {
    const c2d = new CumulativeToDelta(new Set(["process.disk.io"]), { startTime: 1000n });
    assert.deepEqual(c2d.run(batch("1", 2000, attrs, 5)).resourceMetrics, []);
    const m = metricMatcher({ match_type: "regexp", metrics: ["^process\\."] }, { match_type: "strict", metrics: ["process.memory.usage"] });
    assert.deepEqual(["process.cpu.time", "process.memory.usage", "system.cpu.time"].map(m), [true, false, false]);
    assert.equal(metricMatcher(undefined, undefined)("anything"), true, "no include: every metric");
    assert.equal(metricMatcher({ metric_types: ["sum"] }, undefined)("process.cpu.time"), true, "include by type");
    assert.equal(metricMatcher({ metric_types: ["histogram"] }, undefined)("process.cpu.time"), false, "sums not included");
    assert.equal(metricMatcher(undefined, { metric_types: ["Sum"] })("process.cpu.time"), false, "sums excluded");
  });

  it("makes of the synthetic host's cumulative counters exactly the fixture's delta form", () => {
    // The delta fixture is what the collector's processor makes of the cumulative one when it
    // started at the first scrape (test/fixtures/generate.ts); replay.test.ts checks the collector.
    const c2d = new CumulativeToDelta(new Set(["process.cpu.time", "process.disk.io"]));
    const got = generateHost({ intervals: 6, temporality: "cumulative" }).map((b) => c2d.run(b));
    const want = generateHost({ intervals: 6 });
    const canon = (b: MetricsData) => JSON.parse(JSON.stringify(b, (k, v: unknown) => (k === "startTimeUnixNano" && v === undefined ? undefined : v))) as MetricsData;
    got.forEach((b, i) => assert.deepEqual(canon(b), canon(want[i]), `interval ${i}`));
    assert.ok(points(want[1]).some((dp: NumberDataPoint) => BigInt(dp.startTimeUnixNano!) > BigInt(dp.timeUnixNano!) - 10_000_000_000n), "some process was born during the recording");
  });
});
