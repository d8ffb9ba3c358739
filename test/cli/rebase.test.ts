// Replay's rebase: every timestamp moves by the same amount, unset start times stay unset.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rebaseOffset, shift } from "../../src/replay/rebase.ts";
import type { MetricsData } from "../../src/host/otlp.ts";

const batch = (t: string): MetricsData => ({ resourceMetrics: [{ scopeMetrics: [{ metrics: [
  { name: "c", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: "1000", timeUnixNano: t, asInt: "5" }] } },
  { name: "g", gauge: { dataPoints: [{ timeUnixNano: t, asDouble: 1 }] } },
  { name: "k", sum: { aggregationTemporality: 1, dataPoints: [{ startTimeUnixNano: "0", timeUnixNano: t, asInt: "1" }] } },
  { name: "h", histogram: { dataPoints: [{ startTimeUnixNano: "1000", timeUnixNano: t, count: "1" }] } },
] }] }] });

describe("replay's rebase", () => {
  it("lands the first scrape where asked and moves times and start times alike", () => {
    const rec = [batch("2000"), batch("3000")];
    const by = rebaseOffset(rec, 1_000_000n);
    assert.equal(by, 998_000n);
    const [a, b] = shift(rec, by);
    const ms = (d: MetricsData) => d.resourceMetrics[0].scopeMetrics[0].metrics;
    assert.deepEqual([ms(a)[0].sum!.dataPoints[0].startTimeUnixNano, ms(a)[0].sum!.dataPoints[0].timeUnixNano], ["999000", "1000000"]);
    assert.equal(ms(b)[1].gauge!.dataPoints[0].timeUnixNano, "1001000");
    assert.equal(ms(b)[2].sum!.dataPoints[0].startTimeUnixNano, "0", "an unset start time stays unset");
    assert.equal((ms(b)[3].histogram as { dataPoints: { timeUnixNano: string }[] }).dataPoints[0].timeUnixNano, "1001000");
    assert.deepEqual(shift(shift(rec, by), -by), rec, "and back");
  });
});
