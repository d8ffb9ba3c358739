// nrdot status against a real collector: a generated agent (OTLP backend pointed at a port where
// nothing listens, so sends fail) on free ports; and the parser on its own.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseText, quantile, sum } from "../../src/status/prom.ts";
import { summarize, type Status } from "../../src/status/summary.ts";
import { run } from "../cli/run.ts";
import { freePort } from "../e2e/collector.ts";
import { startLiveAgent, type LiveAgent } from "./live.ts";

describe("prometheus text", () => {
  it("parses names, escaped labels, special values and TYPE lines", () => {
    const s = parseText([
      "# HELP a_b A thing.",
      "# TYPE a_b counter",
      'a_b{x="1",y="q\\"uo\\\\te\\n"} 3',
      "c 1.5e+03 1700000000000",
      'd{le="+Inf"} +Inf',
      "e NaN",
    ].join("\n"));
    assert.equal(s.types.get("a_b"), "counter");
    assert.deepEqual(s.samples[0], { name: "a_b", labels: { x: "1", y: 'q"uo\\te\n' }, value: 3 });
    assert.equal(sum(s, "c"), 1500);
    assert.equal(s.samples[2].value, Infinity);
    assert.ok(Number.isNaN(s.samples[3].value));
    assert.throws(() => parseText("ok 1\nbad{x=1} 2"), /line 2/);
  });

  it("between reads, a counter that went down (the collector restarted) counts from zero", () => {
    const scrape = (incoming: number, outgoing: number) => parseText([
      `otelcol_processor_incoming_items{processor="wasm/optimize"} ${incoming}`,
      `otelcol_processor_outgoing_items{processor="wasm/optimize"} ${outgoing}`,
    ].join("\n"));
    const o = { endpoint: "e", processor: "wasm/optimize", price: 0.3 };
    const s = summarize(scrape(600, 150), scrape(1000, 400), 60, o);
    assert.deepEqual([s.pointsIn, s.pointsOut, s.pointsInPerMinute], [600, 150, 600]);
    const t = summarize(scrape(1600, 500), scrape(1000, 400), 60, o);
    assert.deepEqual([t.pointsIn, t.pointsOut], [600, 100]);
  });

  it("estimates quantiles as histogram_quantile does", () => {
    const b = [{ le: 5, count: 90 }, { le: 10, count: 100 }, { le: Infinity, count: 100 }];
    assert.equal(quantile(0.5, b), 5 * (50 / 90));
    assert.equal(quantile(0.99, b), 5 + 5 * (99 - 90) / 10);
    assert.equal(quantile(0.99, [{ le: 5, count: 0 }, { le: Infinity, count: 3 }]), 5);
    assert.equal(quantile(0.99, [{ le: 5, count: 0 }, { le: Infinity, count: 0 }]), undefined);
  });
});

describe("nrdot status on a running collector", () => {
  let agent: LiveAgent;
  let endpoint: string;
  before(async () => {
    agent = await startLiveAgent();
    endpoint = agent.endpoint;
  });
  after(async () => {
    await agent?.stop();
  });

  it("shows ratio, rates, cost, processes, breaker, exporter failures and queue, p99", async () => {
    const r = await run(["status", "--endpoint", endpoint]);
    assert.equal(r.code, 0, r.err);
    for (const line of [
      /^nrdot status: http:\/\/127\.0\.0\.1:\d+\/metrics, up /m,
      /window +counters since the collector started/,
      /optimization +\d+\.\d% fewer data points \(wasm\/optimize: \d+ in, \d+ out\)/,
      /points\/minute +in [\d.]+, out [\d.]+/,
      /monthly cost +\$\d+\.\d\d at \$0\.30 per million points/,
      /processes +per batch: [\d.]+ in, [\d.]+ kept, [\d.]+ rolled up/,
      /degradation +memory pressure \d\.\d\d, level (none|\d+)$/m,
      /breaker +breaker closed; traps 0, deadlines 0, module errors 0, state resets 0/,
      /p99 latency +[\d.]+ ms per batch/,
      /exporter otlp_http +sent 0\/min, failed [\d.]+\/min \(\d+ points\), queue \d+\/1000/,
    ]) assert.match(r.out, line);
  });

  it("--json: the numbers agree with each other", async () => {
    const r = await run(["status", "--endpoint", `http://${endpoint}`, "--json", "--price", "1"]);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out) as Status;
    assert.equal(s.found, true);
    assert.equal(s.window.kind, "since start");
    assert.ok(s.pointsIn > 0 && s.pointsOut > 0 && s.pointsOut <= s.pointsIn);
    assert.ok(Math.abs(s.ratio! - (1 - s.pointsOut / s.pointsIn)) < 1e-12);
    assert.ok(Math.abs(s.monthlyCost.after - s.pointsOutPerMinute * 43200 / 1e6) < 1e-9);
    assert.ok(s.batches >= 2);
    assert.ok(s.processes.in! > 0 && Math.abs(s.processes.in! - (s.processes.kept! + (s.processes.rolledUp ?? 0) + (s.processes.dropped ?? 0) + (s.processes.passedThrough ?? 0))) < 1e-9);
    assert.ok(s.p99Ms! > 0);
    assert.equal(s.breakerOpen, false);
    assert.ok(s.pressure! >= 0 && s.pressure! <= 1);
    assert.ok(Number.isInteger(s.degradationLevel) && s.degradationLevel! >= 0, "the module reports its level with every batch");
    assert.deepEqual([s.traps, s.deadlines, s.moduleErrors, s.stateResets, s.processes.passedThrough], [0, 0, 0, 0, 0]);
    const otlp = s.exporters.find((e) => e.exporter === "otlp_http")!;
    assert.ok(otlp.failed > 0 && otlp.queueCapacity === 1000);
  });

  it("--watch --interval: rates between reads, one JSON object per read", async () => {
    const r = await run(["status", "-e", endpoint, "--watch", "--interval", "2s", "--count", "2", "--json"]);
    assert.equal(r.code, 0, r.err);
    const frames = r.out.trim().split("\n").map((l) => JSON.parse(l) as Status);
    assert.equal(frames.length, 2);
    assert.equal(frames[0].window.kind, "since start");
    assert.equal(frames[1].window.kind, "between reads");
    assert.ok(frames[1].window.seconds >= 2 && frames[1].window.seconds < 10);
    assert.ok(frames[1].batches >= 1, "a 1 s scrape interval gives a batch within 2 s");
  });

  it("an endpoint that is down: says which and what to do, exits non-zero", async () => {
    const port = await freePort();
    const r = await run(["status", "--endpoint", `127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.match(r.err, new RegExp(`cannot read the collector's telemetry at http://127\\.0\\.0\\.1:${port}/metrics: connection refused`));
    assert.match(r.err, /hint: is the collector running\? `make run`.*--endpoint/);
  });

  it("no flags: the default agent's endpoint, localhost:8888", async () => {
    // Whether or not a collector runs there right now, the output names that endpoint.
    const r = await run(["status", "--timeout", "2s"]);
    assert.match(r.code === 0 ? r.out : r.err, /http:\/\/localhost:8888\/metrics/);
  });
});
