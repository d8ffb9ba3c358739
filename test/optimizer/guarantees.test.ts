// The optimizer at the default profile (configs/balanced/agent.yaml) on a synthetic busy host
// (test/fixtures/generate.ts): the guarantees of DESIGN.md, checked interval by interval in the
// TypeScript host, and the same decisions as the Go host.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Chain, type MetricsData } from "../../src/host/index.ts";
import { generateHost } from "../fixtures/generate.ts";
import { attr, countPoints, monotonicCumulative, pids, summary, topPids, total } from "./checks.ts";
import { builtModule, repoRoot } from "../host/helpers.ts";

function profileStages() {
  const cfg = parse(readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8"));
  const stages = cfg.service.pipelines["metrics/ingest"].processors.filter((p: string) => p.startsWith("wasm/"));
  return stages.map((id: string) => ({ module: builtModule(id.slice(5)), config: cfg.processors[id].config ?? {} }));
}

describe("optimizer guarantees at the default profile", () => {
  const input = generateHost({ intervals: 12 });
  const output: MetricsData[] = [];
  before(async () => {
    const chain = await Chain.load(profileStages());
    for (const batch of input) output.push(chain.run(batch).output);
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
    input.forEach((b, i) => {
      const kept = pids(output[i]);
      for (const pid of [...topPids(b, "process.cpu.time", 5), ...topPids(b, "process.memory.usage", 5)]) {
        assert.ok(kept.has(pid), `interval ${i}: top consumer pid ${pid} missing`);
      }
    });
  });

  it("keeps per-interval CPU and memory totals within 0.5% (the rest is in `other`)", () => {
    input.forEach((b, i) => {
      for (const m of ["process.cpu.time", "process.memory.usage", "process.disk.io"]) {
        const want = total(b, m);
        const got = total(output[i], m);
        assert.ok(Math.abs(got - want) <= 0.005 * Math.abs(want), `interval ${i} ${m}: ${got} vs ${want}`);
      }
      assert.equal(output[i].resourceMetrics.filter((rm) => attr(rm, "nrdot.rollup") === "true").length, 1, "one other per host");
    });
  });

  it("never lets a cumulative monotonic series go down", () => {
    const last = new Map<string, number>();
    for (const b of output) for (const [id, v] of monotonicCumulative(b)) {
      assert.ok(v >= (last.get(id) ?? -Infinity), `${id} went down`);
      last.set(id, v);
    }
  });

  it("treats a reused pid as a new process", () => {
    const reusedPid = input[5].resourceMetrics.find((rm) => attr(rm, "process.executable.name") === "report-gen");
    assert.ok(reusedPid, "fixture has pid reuse");
  });

  it("decides exactly what the Go host decides", () => {
    const goFile = join(repoRoot, "build/fixtures/summary-go.json");
    assert.ok(existsSync(goFile), `${goFile} is missing: the Go tests write it (make test-go)`);
    const goSummary: string[][] = JSON.parse(readFileSync(goFile, "utf8"));
    assert.equal(goSummary.length, output.length);
    output.forEach((b, i) => assert.deepEqual(summary(b), goSummary[i], `interval ${i}`));
  });
});
