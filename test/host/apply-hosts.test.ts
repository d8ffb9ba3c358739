import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyDecisions, parseRollup, type ResourceMetrics } from "../../src/host/index.ts";
import { PROCESS_ROLLUP_TEXT } from "./helpers.ts";

function res(host: string, name: string, extra: { key: string; value: { doubleValue: number } }[] = []): ResourceMetrics {
  return {
    resource: { attributes: [{ key: "host.name", value: { stringValue: host } }, { key: "process.executable.name", value: { stringValue: name } }, ...extra] },
    scopeMetrics: [{ metrics: [{ name: "process.memory.usage", sum: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: "1", asInt: "10" }] } }] }],
  };
}

describe("roll-up per host", () => {
  it("makes one other per host, in order of appearance, without any process's nrdot attributes", () => {
    const roll = { action: "rollup" as const, tier: "standard" as const, score: 0.5 };
    const { resourceMetrics: out } = applyDecisions(
      [res("a", "p1", [{ key: "nrdot.score", value: { doubleValue: 0.7 } }]), res("b", "p2"), res("a", "p3")],
      [roll, roll, roll],
      { rollup: parseRollup(PROCESS_ROLLUP_TEXT) },
    );
    assert.equal(out.length, 2);
    const attr = (rm: ResourceMetrics, k: string) => rm.resource?.attributes?.find((a) => a.key === k)?.value;
    assert.equal(attr(out[0], "host.name")?.stringValue, "a");
    assert.equal(attr(out[0], "nrdot.rollup.count"), undefined, "the count is a data point, not an attribute");
    assert.equal(out[0].scopeMetrics[0].metrics[1].gauge!.dataPoints[0].asInt, "2");
    assert.equal(attr(out[0], "nrdot.score"), undefined);
    assert.equal(attr(out[1], "host.name")?.stringValue, "b");
    assert.equal(out[0].scopeMetrics[0].metrics[0].sum!.dataPoints[0].asInt, "20");
  });
});
