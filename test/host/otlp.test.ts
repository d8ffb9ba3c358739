import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  applyDecisions, batchRows, Chain, formatDouble, formatMetricsJsonl, loadInstance, parseColumns, parseMetricsJsonl,
  parseRollup, pointValue, toRow, valueString, type Decision, type Metric, type ResourceMetrics,
} from "../../src/host/index.ts";
import { builtModule, PROCESS_ROLLUP_TEXT, testModules } from "./helpers.ts";

const rollup = parseRollup(PROCESS_ROLLUP_TEXT);
const withScore = { rollup, scoreAttribute: "nrdot.score" };

const T0 = "1795741550000000000";
const T1 = "1795741560000000000";

function kv(key: string, v: string | number | boolean) {
  if (typeof v === "string") return { key, value: { stringValue: v } };
  if (typeof v === "boolean") return { key, value: { boolValue: v } };
  return { key, value: { intValue: String(v) } };
}

/**
 * proc is one process as the hostmetrics process scraper reports it, in OTLP/JSON, after
 * cumulative_to_delta (CPU time a delta), with a histogram.
 */
function proc(name: string, pid: number, cpu: [number, number], mem: string, extra: Record<string, string> = {}): ResourceMetrics {
  const start = String(1795739826_250_000_000n + BigInt(pid) * 1_000_000_000n);
  const state = (s: string) => [kv("state", s)];
  return {
    resource: { attributes: [kv("host.name", "h1"), kv("process.pid", pid), kv("process.executable.name", name), ...Object.entries(extra).map(([k, v]) => kv(k, v))] },
    scopeMetrics: [{ scope: { name: "processscraper", version: "0.1" }, metrics: [
      { name: "process.cpu.time", unit: "s", sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [
        { attributes: state("user"), startTimeUnixNano: start, timeUnixNano: T0, asDouble: cpu[0] },
        { attributes: state("system"), startTimeUnixNano: start, timeUnixNano: T0, asDouble: cpu[1] },
      ] } },
      { name: "process.memory.usage", unit: "By", sum: { aggregationTemporality: 2, dataPoints: [
        { startTimeUnixNano: start, timeUnixNano: T0, asInt: mem },
      ] } },
      { name: "process.threads", gauge: { dataPoints: [{ timeUnixNano: T0, asInt: String(pid) }] } },
      { name: "process.latency", histogram: { dataPoints: [{ count: "1", sum: 1 }] } },
    ] }],
  };
}

const BATCH = [
  proc("postgres", 1, [1, 2], "100"),
  proc("nginx", 2, [3, 4], "200", { "nrdot.tier": "important" }),
  proc("drop-me", 3, [5, 6], "300"),
  proc("roll-a", 4, [0.1, 0.2], "9007199254740993", { "nrdot.tier": "standard", "nrdot.score": "x" }),
  proc("roll-b", 5, [0.2, 0.7], "2"),
  proc("roll-c", 6, [0.3, 0.1], "5"),
];
const JSONL = formatMetricsJsonl([{ resourceMetrics: BATCH.slice(0, 3) }, { resourceMetrics: BATCH.slice(3) }]);

function attr(rm: ResourceMetrics, key: string): unknown {
  const found = rm.resource?.attributes?.filter((a) => a.key === key) ?? [];
  assert.ok(found.length <= 1, `attribute ${key} appears ${found.length} times`);
  const v = found[0]?.value;
  return v?.stringValue ?? v?.doubleValue ?? v?.boolValue ?? (v?.intValue !== undefined ? String(v.intValue) : undefined);
}

const metric = (rm: ResourceMetrics, name: string): Metric => rm.scopeMetrics[0].metrics.find((m) => m.name === name)!;

describe("OTLP/JSON lines", () => {
  it("reads the file exporter's output, one batch per line", () => {
    const batches = parseMetricsJsonl("\n" + JSONL + "\n\n", "metrics.jsonl");
    assert.equal(batches.length, 2);
    assert.deepEqual(batches.flatMap((b) => b.resourceMetrics), BATCH);
    assert.deepEqual(parseMetricsJsonl("{}\n"), [{ resourceMetrics: [] }]);
  });

  it("names the file and line of bad input", () => {
    assert.throws(() => parseMetricsJsonl(`${JSONL}{"resourceMetrics": [\n`, "m.jsonl"), /^Error: m\.jsonl:3: not JSON/);
    assert.throws(() => parseMetricsJsonl("[1]", "m.jsonl"), /m\.jsonl:1: not OTLP\/JSON metrics/);
    assert.throws(() => parseMetricsJsonl('{"resourceMetrics": 5}', "m.jsonl"), /m\.jsonl:1: not OTLP\/JSON metrics/);
  });
});

describe("rows from OTLP", () => {
  const cols = parseColumns([
    "attr process.executable.name", "attr process.pid", "attr process.owner",
    "metric process.cpu.time sum", "metric process.cpu.time max", "metric process.cpu.time start_time", "metric process.cpu.time time",
    "metric process.memory.usage sum", "metric process.threads max", "metric process.latency sum", "metric process.absent sum",
  ].join("\n"));

  it("reduces metrics per the declared columns", () => {
    const rm = proc("keep", 7, [1.25, 0.5], "4096");
    rm.scopeMetrics[0].metrics[0].sum!.dataPoints.push({ attributes: [kv("state", "wait")], startTimeUnixNano: "0", timeUnixNano: T1, asDouble: 0.25 });
    const row = toRow(rm, cols);
    assert.deepEqual(row.attrs, { "process.executable.name": "keep", "process.pid": "7" });
    assert.equal(row.metrics["process.cpu.time:sum"], 2);
    assert.equal(row.metrics["process.cpu.time:max"], 1.25);
    assert.equal(row.metrics["process.cpu.time:start_time"], 1795739833250000000 / 1e9, "earliest non-zero start, unix seconds");
    assert.equal(row.metrics["process.cpu.time:time"], Number(T1) / 1e9, "latest time");
    assert.equal(row.metrics["process.memory.usage:sum"], 4096);
    assert.equal(row.metrics["process.threads:max"], 7, "gauges reduce too");
    assert.ok(!("process.latency:sum" in row.metrics), "histograms are not reduced");
    assert.ok(!("process.absent:sum" in row.metrics), "a missing metric stays missing (NaN in the table)");
    assert.equal(batchRows(BATCH, cols).length, BATCH.length);
  });

  it("takes the first of a repeated attribute", () => {
    const rm = proc("first", 8, [1, 3], "1");
    rm.resource!.attributes!.push(kv("process.executable.name", "second"));
    assert.equal(toRow(rm, cols).attrs["process.executable.name"], "first");
  });

  it("reads a NaN or infinite point as absent, its times too (as in Go): NaN in a column means absent only", () => {
    const rm = proc("mixed", 8, [3, NaN], "1");
    const cpu = rm.scopeMetrics[0].metrics[0].sum!.dataPoints;
    Object.assign(cpu[1], { startTimeUnixNano: "1000000000", timeUnixNano: T1 });
    cpu.push({ attributes: [kv("state", "wait")], startTimeUnixNano: cpu[0].startTimeUnixNano, timeUnixNano: T0, asDouble: 5 });
    const row = toRow(rm, cols);
    assert.equal(row.metrics["process.cpu.time:sum"], 8, "3 + NaN + 5: the NaN is left out, not a restart of the sum");
    assert.equal(row.metrics["process.cpu.time:max"], 5);
    assert.equal(row.metrics["process.cpu.time:start_time"], Number(cpu[0].startTimeUnixNano) / 1e9);
    assert.equal(row.metrics["process.cpu.time:time"], Number(T0) / 1e9);
    const none = toRow(proc("none", 9, [Infinity, "-Infinity" as unknown as number], "1"), cols);
    for (const r of ["sum", "max", "start_time", "time"]) assert.ok(!(`process.cpu.time:${r}` in none.metrics), `${r} of all non-finite points is absent`);
    assert.equal(none.metrics["process.memory.usage:sum"], 1, "its memory is still read");
  });

  it("renders attribute values as the Go host does", () => {
    assert.equal(valueString({ intValue: "-42" }), "-42");
    assert.equal(valueString({ intValue: 42 }), "42");
    assert.equal(valueString({ boolValue: false }), "false");
    assert.equal(valueString({ doubleValue: 2.5 }), "2.5");
    assert.equal(valueString({ doubleValue: "NaN" }), "NaN");
    assert.equal(valueString({ doubleValue: "-Infinity" }), "-Inf");
    assert.equal(valueString({ bytesValue: "AQI=" }), "AQI=");
    assert.equal(valueString({}), "");
    assert.equal(valueString({ arrayValue: { values: [{ stringValue: "a<b" }, { intValue: "1" }, { boolValue: true }] } }), '["a\\u003cb",1,true]');
    assert.equal(valueString({ kvlistValue: { values: [{ key: "z", value: { doubleValue: 1.5 } }, { key: "a", value: { stringValue: "x" } }] } }), '{"a":"x","z":1.5}');
    assert.deepEqual([1e21, 1.5e-7, -2.5e25, 123.456, 1e-7, 5e-324, -0].map(formatDouble),
      ["1000000000000000000000", "0.00000015", "-25" + "0".repeat(24), "123.456", "0.0000001", "0." + "0".repeat(323) + "5", "-0"]);
  });
});

describe("applying decisions", () => {
  const keep = (tier: Decision["tier"], score: number): Decision => ({ action: "keep", tier, score });
  const decisions: Decision[] = [
    keep("critical", 1), keep("", NaN), { action: "drop", tier: "", score: NaN },
    { action: "rollup", tier: "sampled", score: 0.2 }, { action: "rollup", tier: "", score: NaN }, { action: "rollup", tier: "", score: NaN },
  ];

  it("keeps, drops and rolls up with exact totals, leaving the input as it was", () => {
    const input = parseMetricsJsonl(JSONL).flatMap((b) => b.resourceMetrics);
    const before = structuredClone(input);
    const { resourceMetrics: out, outcome } = applyDecisions(input, decisions, withScore);
    assert.deepEqual(input, before, "the input is not modified");
    assert.deepEqual(outcome, { kept: 2, dropped: 1, rolledUp: 3, invalid: 0, nonfinite: 0 });
    assert.deepEqual(out.map((rm) => attr(rm, "process.executable.name")), ["postgres", "nginx", "roll-a", "roll-b", "roll-c", "other"],
      "rolled-up resources stay with their histograms");

    assert.equal(attr(out[0], "nrdot.tier"), "critical");
    assert.equal(attr(out[0], "nrdot.score"), 1);
    assert.deepEqual(out[1], input[1], "no tier and no score: unchanged");
    for (const rm of out.slice(2, 5)) assert.deepEqual(rm.scopeMetrics[0].metrics.map((m) => m.name), ["process.latency"]);
    assert.equal(attr(out[2], "nrdot.tier"), "sampled", "the decision's tier");
    assert.equal(attr(out[2], "nrdot.score"), "x", "no score written on a rolled-up resource");

    const other = out[5];
    assert.deepEqual(other.resource!.attributes!.map((a) => a.key), ["host.name", "process.executable.name", "nrdot.rollup", "nrdot.tier"],
      "host attributes of the first rolled-up resource; no process.* attributes, and no nrdot.* written about one process");
    assert.equal(attr(other, "nrdot.tier"), "sampled");
    assert.equal(attr(other, "nrdot.rollup"), true);
    assert.deepEqual(other.scopeMetrics.map((s) => s.scope), [{ name: "processscraper", version: "0.1" }]);
    assert.deepEqual(other.scopeMetrics[0].metrics.map((m) => m.name), ["process.cpu.time", "process.memory.usage", "process.threads", "nrdot.rollup.count"],
      "histograms are not rolled up; the count comes last");
    assert.deepEqual(metric(other, "nrdot.rollup.count"), { name: "nrdot.rollup.count", unit: "{process}", gauge: { dataPoints: [{ timeUnixNano: T0, asInt: "3" }] } });

    const cpu = metric(other, "process.cpu.time").sum!;
    assert.equal(cpu.aggregationTemporality, 1);
    assert.equal(cpu.isMonotonic, true);
    assert.deepEqual(cpu.dataPoints.map((dp) => dp.attributes), [[kv("state", "user")], [kv("state", "system")]]);
    assert.deepEqual(cpu.dataPoints.map(pointValue), [0.1 + 0.2 + 0.3, 0.2 + 0.7 + 0.1], "doubles summed in batch order");
    assert.equal(cpu.dataPoints[0].startTimeUnixNano, "1795739830250000000", "earliest start");
    const mem = metric(other, "process.memory.usage").sum!.dataPoints;
    assert.deepEqual(mem.map((dp) => [dp.asInt, dp.asDouble]), [["9007199254741000", undefined]], "ints stay exact ints beyond 2^53");
    assert.deepEqual(metric(other, "process.threads").gauge!.dataPoints.map((dp) => dp.asInt), ["15"]);
  });

  it("turns an int sum into a double when a double point joins it, and keeps the latest time", () => {
    const a = proc("a", 1, [1, 1], "10");
    const b = proc("b", 2, [1, 1], "0");
    b.scopeMetrics[0].metrics[1].sum!.dataPoints[0] = { startTimeUnixNano: "0", timeUnixNano: T1, asDouble: 0.5 };
    const { resourceMetrics: out } = applyDecisions([a, b], [{ action: "rollup", tier: "", score: NaN }, { action: "rollup", tier: "", score: NaN }], { rollup });
    const [dp] = metric(out[2], "process.memory.usage").sum!.dataPoints;
    assert.deepEqual([dp.asInt, dp.asDouble, dp.timeUnixNano, dp.startTimeUnixNano], [undefined, 10.5, T1, a.scopeMetrics[0].metrics[1].sum!.dataPoints[0].startTimeUnixNano]);
  });

  it("merges points whose attribute sets are equal as pcommon.Map.Equal says: any order, same types", () => {
    const gauge = (attributes: ReturnType<typeof kv>[], v: number): ResourceMetrics => ({
      resource: { attributes: [] }, scopeMetrics: [{ metrics: [{ name: "g", gauge: { dataPoints: [{ attributes, asInt: String(v) }] } }] }],
    });
    const rms = [gauge([kv("a", "1"), kv("b", "2")], 1), gauge([kv("b", "2"), kv("a", "1")], 2), gauge([kv("a", 1), kv("b", "2")], 4)];
    const { resourceMetrics: out } = applyDecisions(rms, rms.map(() => ({ action: "rollup", tier: "", score: NaN })), { rollup });
    assert.deepEqual(metric(out[0], "g").gauge!.dataPoints.map((dp) => dp.asInt), ["3", "4"]);
    assert.equal(metric(out[0], "nrdot.rollup.count").gauge!.dataPoints[0].asInt, "3");
  });

  it("leaves a resource with an invalid decision unchanged and counts it", () => {
    const { resourceMetrics: out, outcome } = applyDecisions([BATCH[0]], [{ action: "keep", tier: "", score: NaN, invalid: true }], { rollup });
    assert.deepEqual(out, [BATCH[0]]);
    assert.equal(outcome.invalid, 1);
  });

  it("refuses a decision count that does not match the resources", () => {
    assert.throws(() => applyDecisions(BATCH, decisions.slice(1), { rollup }), /5 decisions for 6 resources/);
  });
});

describe("OTLP through modules", () => {
  it("tiers every resource with the built classify module", async () => {
    const [batch] = parseMetricsJsonl(formatMetricsJsonl([{ resourceMetrics: BATCH }]));
    const { output, stages } = (await Chain.load([{ module: builtModule("classify"), scoreAttribute: "nrdot.score" }])).run(batch);
    assert.deepEqual(stages[0].outcome, { kept: 6, dropped: 0, rolledUp: 0, invalid: 0, nonfinite: 0 });
    assert.deepEqual(output.resourceMetrics.map((rm) => [attr(rm, "process.executable.name"), attr(rm, "nrdot.tier"), attr(rm, "nrdot.score")]), [
      ["postgres", "critical", 1], ["nginx", "important", 0.8], ["drop-me", "standard", 0.5],
      ["roll-a", "standard", 0.5], ["roll-b", "standard", 0.5], ["roll-c", "standard", 0.5],
    ]);
  });

  it("keeps, drops, rolls up and flags invalid records from a guest", async () => {
    const inst = await loadInstance(join(testModules, "scripted.wasm"));
    const input = [proc("keep", 1, [1, 2], "100"), proc("crit", 2, [3, 4], "200"), proc("drop-x", 3, [5, 6], "300"),
      proc("roll-a", 4, [0.5, 0.25], "1000"), proc("roll-b", 5, [1.5, 0.75], "2000"), proc("bad", 6, [1, 1], "1")];
    const { resourceMetrics: out, outcome } = applyDecisions(input, inst.process(batchRows(input, inst.columns())), { rollup: inst.rollup(), scoreAttribute: "nrdot.score" });
    assert.deepEqual(outcome, { kept: 2, dropped: 1, rolledUp: 2, invalid: 1, nonfinite: 0 });
    assert.deepEqual(out.map((rm) => attr(rm, "process.executable.name")), ["keep", "crit", "roll-a", "roll-b", "bad", "other"]);
    assert.equal(attr(out[0], "nrdot.score"), 3, "scripted: score = process.cpu.time summed over states");
    assert.equal(attr(out[4], "nrdot.tier"), undefined);
    assert.deepEqual(metric(out[5], "process.cpu.time").sum!.dataPoints.map(pointValue), [2, 1]);
    assert.equal(metric(out[5], "process.memory.usage").sum!.dataPoints[0].asInt, "3000");
  });
});
