import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { applyDecisions, loadInstance, pointValue, toRow, type ResourceMetrics } from "../../src/host/index.ts";
import { testModules } from "./helpers.ts";

function proc(name: string, pid: number, cpu: [number, number], mem: number): ResourceMetrics {
  const start = String(1795739826_250_000_000 + pid * 1_000_000_000);
  return {
    resource: { attributes: [
      { key: "host.name", value: { stringValue: "h1" } },
      { key: "process.pid", value: { intValue: String(pid) } },
      { key: "process.executable.name", value: { stringValue: name } },
    ] },
    scopeMetrics: [{ scope: { name: "processscraper" }, metrics: [
      { name: "process.cpu.time", unit: "s", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [
        { attributes: [{ key: "state", value: { stringValue: "user" } }], startTimeUnixNano: start, timeUnixNano: "1795741550200382795", asDouble: cpu[0] },
        { attributes: [{ key: "state", value: { stringValue: "system" } }], startTimeUnixNano: start, timeUnixNano: "1795741550200382795", asDouble: cpu[1] },
      ] } },
      { name: "process.memory.usage", unit: "By", sum: { aggregationTemporality: 2, dataPoints: [
        { startTimeUnixNano: start, timeUnixNano: "1795741550200382795", asInt: String(mem) },
      ] } },
    ] }],
  };
}

function attr(rm: ResourceMetrics, key: string): unknown {
  const v = rm.resource?.attributes?.find((kv) => kv.key === key)?.value;
  return v?.stringValue ?? v?.doubleValue ?? v?.boolValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined);
}

describe("OTLP rows and decisions", () => {
  it("reduces metrics per the declared columns", async () => {
    const inst = await loadInstance(join(testModules, "scripted.wasm"));
    const row = toRow(proc("keep", 7, [1.25, 0.5], 4096), inst.columns);
    assert.deepEqual(row.attrs, { "process.executable.name": "keep" });
    assert.equal(row.metrics["process.cpu.time:sum"], 1.75);
    assert.ok(Math.abs(row.metrics["process.cpu.time:start_time"] - 1795739833.25) < 1e-6, "start time in unix seconds");
  });

  it("keeps, drops and rolls up with exact totals", async () => {
    const inst = await loadInstance(join(testModules, "scripted.wasm"));
    const input = [proc("keep", 1, [1, 2], 100), proc("crit", 2, [3, 4], 200), proc("drop-x", 3, [5, 6], 300),
      proc("roll-a", 4, [0.5, 0.25], 1000), proc("roll-b", 5, [1.5, 0.75], 2000), proc("bad", 6, [1, 1], 1)];
    const decisions = inst.process(input.map((rm) => toRow(rm, inst.columns)));
    const { resourceMetrics: out, outcome } = applyDecisions(input, decisions);
    assert.deepEqual(outcome, { kept: 2, dropped: 1, rolledUp: 2, invalid: 1 });
    const names = out.map((rm) => attr(rm, "process.executable.name"));
    assert.deepEqual(names, ["keep", "crit", "bad", "other"]);
    assert.equal(attr(out[0], "nrdot.tier"), "standard");
    assert.equal(attr(out[0], "nrdot.score"), 3);
    assert.equal(attr(out[1], "nrdot.tier"), "critical");
    assert.equal(attr(out[2], "nrdot.tier"), undefined, "an invalid decision leaves the row unchanged");
    const other = out[3];
    assert.equal(attr(other, "nrdot.rollup"), true);
    assert.equal(attr(other, "nrdot.rollup.count"), 2);
    assert.equal(attr(other, "host.name"), "h1");
    assert.equal(attr(other, "process.pid"), undefined);
    const metrics = other.scopeMetrics[0].metrics;
    const cpu = metrics.find((m) => m.name === "process.cpu.time")!.sum!.dataPoints;
    assert.deepEqual(cpu.map(pointValue), [2, 1]);
    const mem = metrics.find((m) => m.name === "process.memory.usage")!.sum!.dataPoints;
    assert.equal(mem[0].asInt, "3000");
    assert.equal(mem[0].startTimeUnixNano, String(1795739826_250_000_000 + 4 * 1_000_000_000), "earliest start");
    assert.equal(input[0].resource!.attributes!.length, 3, "the input is not modified");
  });
});
