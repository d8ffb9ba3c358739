// The optimizer at the default profile (configs/balanced/agent.yaml) on a synthetic busy host
// (test/fixtures/generate.ts): the guarantees of the README, checked interval by interval in the
// TypeScript host, and its decisions against the checked-in vector the Go host is checked
// against too (test/fixtures/guarantees-summary.json; NRDOT_WRITE_VECTORS=1 rewrites it).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Chain, type MetricsData } from "../../src/host/index.ts";
import { generateHost } from "../fixtures/generate.ts";
import { attr, countPoints, counterViolations, pids, seriesPerProcess, summary, topPids, total, totalsDiffer } from "./checks.ts";
import { builtModule, repoRoot } from "../host/helpers.ts";

const SUMMARY_VECTOR = join(repoRoot, "test/fixtures/guarantees-summary.json");

function profileStages() {
  const cfg = parse(readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8"));
  const stages = cfg.service.pipelines["metrics/ingest"].processors.filter((p: string) => p.startsWith("wasm/"));
  return stages.map((id: string) => ({ module: builtModule(id.slice(5)), config: cfg.processors[id].config ?? {} }));
}

async function optimize(input: readonly MetricsData[]): Promise<MetricsData[]> {
  const chain = await Chain.load(profileStages());
  return input.map((b) => chain.run(b).output);
}

describe("optimizer guarantees at the default profile", () => {
  const input = generateHost({ intervals: 12 });
  let output: MetricsData[] = [];
  before(async () => {
    output = await optimize(input);
  });

  it("has a fixture of at least 1,000 processes over at least 10 intervals", () => {
    assert.ok(input.length >= 10);
    for (const b of input) assert.ok(b.resourceMetrics.length >= 1000, `${b.resourceMetrics.length} processes`);
  });

  it("reduces data points by at least 90%", () => {
    const inPts = input.reduce((n, b) => n + countPoints(b), 0);
    const outPts = output.reduce((n, b) => n + countPoints(b), 0);
    const reduction = 1 - outPts / inPts;
    assert.ok(reduction >= 0.9, `reduction ${(reduction * 100).toFixed(1)}% (${inPts} -> ${outPts} points)`);
  });

  it("keeps every critical process in every interval", () => {
    input.forEach((b, i) => {
      const kept = pids(output[i]);
      for (const rm of b.resourceMetrics) {
        const name = attr(rm, "process.executable.name")!;
        if (["postgres", "mysqld", "redis-server"].includes(name)) assert.ok(kept.has(attr(rm, "process.pid")!), `interval ${i}: ${name} missing`);
      }
    });
  });

  it("keeps each interval's top-5 CPU and top-5 memory consumers", () => {
    // A top consumer is one of the five that used the most CPU seconds (memory bytes) in the
    // interval. The optimizer ranks CPU by rate over each point's window, which for a process born
    // during the interval is shorter than the interval: one that ran 6 s at 0.33 cores (2.0 s) can
    // displace one that ran the whole 10 s at 0.22 cores (2.2 s).
    input.forEach((b, i) => {
      const kept = pids(output[i]);
      for (const [m, unit] of [["process.cpu.time", "CPU s"], ["process.memory.usage", "bytes"]]) {
        for (const pid of topPids(b, m, 5)) {
          const used = total({ resourceMetrics: b.resourceMetrics.filter((rm) => attr(rm, "process.pid") === pid) }, m);
          assert.ok(kept.has(pid), `interval ${i}: top consumer pid ${pid} (${used.toFixed(3)} ${unit}) missing`);
        }
      }
    });
  });

  it("keeps per-interval CPU, memory and disk totals exact (the rest is in `other`)", () => {
    input.forEach((b, i) => {
      for (const m of ["process.cpu.time", "process.memory.usage", "process.disk.io"]) {
        const diff = totalsDiffer(b, output[i], m);
        assert.equal(diff, undefined, `interval ${i} ${m}: ${diff}`);
      }
      assert.equal(output[i].resourceMetrics.filter((rm) => attr(rm, "nrdot.rollup") === "true").length, 1, "one other per host");
    });
  });

  it("checks totals to the unit: one process's memory or a millisecond of CPU missing is found", () => {
    const b = input[3];
    const less = structuredClone(output[3]);
    const other = less.resourceMetrics.find((rm) => attr(rm, "nrdot.rollup") === "true")!;
    const points = (name: string) => other.scopeMetrics.flatMap((sm) => sm.metrics.filter((m) => m.name === name).flatMap((m) => m.sum?.dataPoints ?? []));
    points("process.memory.usage")[0].asInt = String(BigInt(points("process.memory.usage")[0].asInt!) - 1n);
    assert.match(totalsDiffer(b, less, "process.memory.usage") ?? "", /ints/);
    points("process.cpu.time")[0].asDouble = Number(points("process.cpu.time")[0].asDouble) - 0.001;
    assert.match(totalsDiffer(b, less, "process.cpu.time") ?? "", /doubles/);
  });

  it("never lets a counter go down, as a backend re-accumulating the deltas sees it", () => {
    assert.ok(output.some((b) => b.resourceMetrics.some((rm) => rm.scopeMetrics.some((sm) => sm.metrics.some((m) => m.sum?.isMonotonic)))), "the output has counters");
    assert.deepEqual(counterViolations(output), []);
  });

  it("finds a counter that goes down, cumulative or delta", () => {
    const sum = (temporality: number, v: number) => ({ resourceMetrics: [{ resource: { attributes: [{ key: "process.pid", value: { intValue: "1" } }] },
      scopeMetrics: [{ metrics: [{ name: "c", sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: [{ startTimeUnixNano: "1", timeUnixNano: "2", asDouble: v }] } }] }] }] });
    assert.equal(counterViolations([sum(2, 5), sum(2, 7), sum(2, 6)]).length, 1);
    assert.equal(counterViolations([sum(1, 5), sum(1, 0), sum(1, -1)]).length, 1);
    assert.deepEqual(counterViolations([sum(2, 5), sum(2, 5), sum(1, 3)]), []);
  });

  it("never lets a counter go down when it is fed the scraper's cumulative counters directly", async () => {
    // Without cumulative_to_delta: summing the counters of the processes rolled up in each interval
    // would go down whenever one of them leaves `other` (kept, or exited).
    const cumulative = await optimize(generateHost({ intervals: 12, temporality: "cumulative" }));
    assert.deepEqual(counterViolations(cumulative).slice(0, 5), []);
  });

  it("keeps one series per process: ≤ 1.05 resource attribute sets per exported process", () => {
    const spp = seriesPerProcess(output);
    assert.equal(seriesPerProcess(input), 1);
    assert.ok(spp <= 1.05, `series per process ${spp.toFixed(3)}`);
  });

  it("treats a reused pid as a new process", () => {
    const reusedPid = input[5].resourceMetrics.find((rm) => attr(rm, "process.executable.name") === "report-gen");
    assert.ok(reusedPid, "fixture has pid reuse");
  });

  it("decides what the checked-in vector says, which the Go host is checked against", () => {
    const got = output.map(summary);
    if (process.env.NRDOT_WRITE_VECTORS) writeFileSync(SUMMARY_VECTOR, JSON.stringify(got, null, 1) + "\n");
    const want: string[][] = JSON.parse(readFileSync(SUMMARY_VECTOR, "utf8"));
    assert.equal(want.length, output.length);
    got.forEach((s, i) => assert.deepEqual(s, want[i], `interval ${i}`));
  });
});
