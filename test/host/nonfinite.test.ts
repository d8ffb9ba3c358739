// Non-finite values never reach a roll-up (docs/reference/abi.md, "Decision application"): one
// +Inf CPU value made the host's `other` Infinity, +Inf and -Inf together NaN. The Go host's twin
// is collector/wasmprocessor/nonfinite_test.go.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyDecisions, parseRollup, points, type ResourceMetrics } from "../../src/host/index.ts";
import { PROCESS_ROLLUP_TEXT } from "./helpers.ts";

function proc(name: string, user: number | string, system: number | string): ResourceMetrics {
  const dp = (state: string, v: number | string, t: string) => ({
    startTimeUnixNano: "1", timeUnixNano: t, asDouble: v as number, attributes: [{ key: "state", value: { stringValue: state } }],
  });
  return {
    resource: { attributes: [{ key: "host.name", value: { stringValue: "h" } }, { key: "process.executable.name", value: { stringValue: name } }] },
    scopeMetrics: [{ metrics: [{ name: "process.cpu.time", sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [dp("user", user, "5"), dp("system", system, "9")] } }] }],
  };
}

describe("non-finite values in a roll-up", () => {
  const roll = { action: "rollup" as const, tier: "" as const, score: NaN };
  it("are left out of the sums and counted", () => {
    const { resourceMetrics: out, outcome } = applyDecisions(
      [proc("a", Infinity, 1), proc("b", -Infinity, 2), proc("c", 3, NaN), proc("d", "Infinity", 4)],
      [roll, roll, roll, roll], { rollup: parseRollup(PROCESS_ROLLUP_TEXT) });
    const pts = out[0].scopeMetrics[0].metrics[0].sum!.dataPoints;
    assert.deepEqual(pts.map((p) => [p.attributes![0].value.stringValue, p.asDouble]), [["system", 7], ["user", 3]]);
    assert.equal(outcome.nonfinite, 4);
  });
  it("leave no point when every value of it is non-finite, and their times do not count", () => {
    const { resourceMetrics: out, outcome } = applyDecisions([proc("a", 1, NaN)], [roll], { rollup: parseRollup(PROCESS_ROLLUP_TEXT) });
    const metrics = out[0].scopeMetrics[0].metrics;
    assert.deepEqual(metrics[0].sum!.dataPoints.map((p) => p.attributes![0].value.stringValue), ["user"]);
    assert.equal(metrics[1].gauge!.dataPoints[0].timeUnixNano, "5", "the count's time is the latest time summed");
    assert.equal(outcome.nonfinite, 1);
  });
  it("leave no metric when every value of it is non-finite (Go writes a metric only for points it summed)", () => {
    const { resourceMetrics: out, outcome } = applyDecisions([proc("a", NaN, Infinity), proc("b", 1, 2)], [roll, roll], { rollup: parseRollup(PROCESS_ROLLUP_TEXT) });
    assert.deepEqual(out[0].scopeMetrics[0].metrics.map((m) => [m.name, points(m).length]), [["process.cpu.time", 2], ["nrdot.rollup.count", 1]]);
    const alone = applyDecisions([proc("a", NaN, Infinity)], [roll], { rollup: parseRollup(PROCESS_ROLLUP_TEXT) }).resourceMetrics[0];
    assert.deepEqual(alone.scopeMetrics[0].metrics.map((m) => m.name), ["nrdot.rollup.count"], "not a metric without points");
    assert.equal(outcome.nonfinite, 2);
  });
});
