// The roll-up declaration (nrdot_rollup) and how the TS host applies it; the same cases as the Go
// host's rollupdecl_test.go and processor_test.go.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { applyDecisions, Chain, parseRollup, type Decision, type Metric, type ResourceMetrics } from "../../src/host/index.ts";
import { PROCESS_ROLLUP_TEXT, testModules } from "./helpers.ts";

describe("roll-up declaration", () => {
  it("reads group, strip, typed set and count lines, in order", () => {
    assert.deepEqual(parseRollup("group host.name\ngroup k8s.node.name\nstrip process.\nset a string two words \nset b bool false\nset c int -9223372036854775808\ncount n\n"), {
      group: ["host.name", "k8s.node.name"], strip: ["process."],
      set: [{ key: "a", value: { stringValue: "two words " } }, { key: "b", value: { boolValue: false } }, { key: "c", value: { intValue: "-9223372036854775808" } }],
      count: "n",
    });
    assert.deepEqual(parseRollup(""), { group: [], strip: [], set: [] }, "an empty declaration: one roll-up per batch, nothing stripped or set, no count");
    assert.deepEqual(parseRollup("set empty string \n").set, [{ key: "empty", value: { stringValue: "" } }]);
  });

  for (const [text, want] of [
    ["sum everything", /line 1: "sum everything": not one of `group`, `strip`, `set`, `count`/],
    ["group", /want `group <resource attribute key>`/],
    ["group a b", /want `group <resource attribute key>`/],
    ["strip ", /want `strip <key prefix>`/],
    ["count a\ncount b", /line 2: "count b": a second count line \(the first named "a"\)/],
    ["set k", /want `set <key> string\|bool\|int <value>`/],
    ["set k string", /want `set <key> string\|bool\|int <value>`/],
    ["set k bool yes", /a bool is `true` or `false`, not "yes"/],
    ["set k int 9223372036854775808", /is not a 64-bit decimal int/],
    ["set k int 1.5", /is not a 64-bit decimal int/],
    ["set k double 1.5", /unknown type "double" \(want string, bool or int\)/],
  ] as const) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.throws(() => parseRollup(text), want));
  }
});

const T = "1795741560000000000";
const rollupAll = (n: number): Decision[] => Array.from({ length: n }, () => ({ action: "rollup", tier: "standard", score: 0.5 }));
const attr = (rm: ResourceMetrics, k: string) => rm.resource?.attributes?.find((a) => a.key === k)?.value;
const names = (rm: ResourceMetrics) => rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name));

function res(attrs: Record<string, string>, metrics: Metric[]): ResourceMetrics {
  return { resource: { attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })) }, scopeMetrics: [{ metrics }] };
}
const gauge = (name: string, v: number): Metric => ({ name, gauge: { dataPoints: [{ timeUnixNano: T, asInt: String(v) }] } });
const counter = (temporality: number): Metric => ({ name: "process.cpu.time", sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: [{ startTimeUnixNano: "1", timeUnixNano: T, asDouble: 2 }] } });

describe("applying a declared roll-up", () => {
  it("groups by every declared key, strips, sets and counts as declared", () => {
    const rollup = parseRollup("group zone\ngroup rack\nstrip job.\nset name string rest\nset n int 7\ncount rows\n");
    const rms = [
      res({ zone: "a", rack: "1", "job.id": "x", keep: "me" }, [gauge("g", 1)]),
      res({ zone: "a", rack: "2", "job.id": "y" }, [gauge("g", 2)]),
      res({ zone: "a", rack: "1", "job.id": "z" }, [gauge("g", 4)]),
      res({ rack: "1" }, [gauge("g", 8)]),
    ];
    const { resourceMetrics: out } = applyDecisions(rms, rollupAll(4), { rollup });
    assert.deepEqual(out.map((rm) => rm.resource!.attributes!.map((a) => a.key)), [
      ["zone", "rack", "keep", "name", "n"], ["zone", "rack", "name", "n"], ["rack", "name", "n"],
    ]);
    assert.deepEqual(attr(out[0], "n"), { intValue: "7" });
    assert.deepEqual(out.map((rm) => rm.scopeMetrics[0].metrics.map((m) => m.gauge!.dataPoints[0].asInt)), [["5", "2"], ["2", "1"], ["8", "1"]],
      "g summed per group, then the count; a missing key groups as \"\"");
    assert.deepEqual(out[0].scopeMetrics[0].metrics[1], { name: "rows", unit: "{process}", gauge: { dataPoints: [{ timeUnixNano: T, asInt: "2" }] } });
  });

  it("writes a roll-up point as Go does: attributes, times and value, not the first member's flags or exemplars", () => {
    const withExtras = (v: number): Metric => ({ name: "g", gauge: { dataPoints: [{ timeUnixNano: T, asInt: String(v), flags: 1, exemplars: [{ asInt: "9" }] }] } });
    const { resourceMetrics: out } = applyDecisions([res({}, [withExtras(1)]), res({}, [withExtras(2)])], rollupAll(2), { rollup: parseRollup("") });
    assert.deepEqual(out[0].scopeMetrics[0].metrics[0].gauge!.dataPoints, [{ timeUnixNano: T, asInt: "3" }]);
  });

  it("writes the score only to the configured attribute", () => {
    const rollup = parseRollup(PROCESS_ROLLUP_TEXT);
    const keep: Decision[] = [{ action: "keep", tier: "important", score: 0.75 }];
    const rm = res({ "host.name": "h" }, [gauge("g", 1)]);
    const off = applyDecisions([rm], keep, { rollup }).resourceMetrics[0];
    assert.deepEqual(off.resource!.attributes!.map((a) => a.key), ["host.name", "nrdot.tier"], "no score by default");
    const on = applyDecisions([rm], keep, { rollup, scoreAttribute: "importance" }).resourceMetrics[0];
    assert.deepEqual(attr(on, "importance"), { doubleValue: 0.75 });
  });

  it("never sums a monotonic cumulative sum: the rolled-up resource stays with it, and the log is told once per metric", async () => {
    const rollup = parseRollup(PROCESS_ROLLUP_TEXT);
    const proc = (pid: string, temporality: number) => res({ "host.name": "h", "process.pid": pid }, [counter(temporality), gauge("process.memory.usage", 10)]);
    const told: string[] = [];
    const { resourceMetrics: out } = applyDecisions([proc("1", 2), proc("2", 2), proc("3", 1)], rollupAll(3), { rollup, unsummable: (m) => told.push(m) });
    assert.deepEqual(out.map((rm) => attr(rm, "process.pid")?.stringValue ?? "other"), ["1", "2", "other"]);
    assert.deepEqual(names(out[0]), ["process.cpu.time"]);
    assert.deepEqual(out[0].scopeMetrics[0].metrics[0], counter(2), "the counter as it was");
    assert.deepEqual(attr(out[0], "nrdot.tier"), { stringValue: "standard" });
    assert.deepEqual(names(out[2]), ["process.memory.usage", "process.cpu.time", "nrdot.rollup.count"],
      "in the order first summed: only the delta CPU time is");
    assert.equal(out[2].scopeMetrics[0].metrics[1].sum!.dataPoints[0].asDouble, 2);
    assert.equal(out[2].scopeMetrics[0].metrics[2].gauge!.dataPoints[0].asInt, "3", "every rolled-up resource counts");
    assert.deepEqual(told, ["process.cpu.time", "process.cpu.time"]);

    const lines: [number, string][] = [];
    const chain = await Chain.load([{ module: join(testModules, "scripted.wasm") }], { log: (level, message) => lines.push([level, message]) });
    const roll = (pid: string) => ({ ...proc(pid, 2), resource: { attributes: [...proc(pid, 2).resource!.attributes!, { key: "process.executable.name", value: { stringValue: "roll-" + pid } }] } });
    chain.run({ resourceMetrics: [roll("1"), roll("2")] });
    chain.run({ resourceMetrics: [roll("3")] });
    const warnings = lines.filter(([level]) => level === 2);
    assert.equal(warnings.length, 1, "once per metric name");
    assert.match(warnings[0][1], /scripted\.wasm: a rolled-up resource keeps process\.cpu\.time.*cumulative_to_delta/);
  });
});
