// simulate and replay against what the host used, as the recording's counters say it: processes
// born during the recording keep their first interval, whether the recording is replayed at once
// or days later; the reports measure against the recording, not against their own conversion.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, run } from "./run.ts";
import { parseMetricsJsonl, pointValue, points, type MetricsData } from "../../src/host/index.ts";
import { alignToInput } from "../../src/replay/intervals.ts";
import { generateHost, hostTruth, writeJsonl, type FixtureOptions } from "../fixtures/generate.ts";

const collector = join(repoRoot, "bin/nrdot-collector");
const INTERVALS = 6;
const now = Math.floor(Date.now() / 1000);
const recordings: [string, FixtureOptions][] = [
  ["recorded ten minutes ago", { intervals: INTERVALS, temporality: "cumulative", t0: now - 600 }],
  ["recorded three days ago", { intervals: INTERVALS, temporality: "cumulative", t0: now - 3 * 86_400 }],
];

/** exported is what an output batch says the host used: CPU seconds (deltas) and memory bytes. */
function exported(b: MetricsData): { cpu: number; memory: bigint } {
  let cpu = 0;
  let memory = 0n;
  for (const rm of b.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
    if (m.name === "process.cpu.time") {
      assert.equal(m.sum?.aggregationTemporality, 1, "CPU leaves as deltas");
      for (const dp of points(m)) cpu += pointValue(dp);
    }
    if (m.name === "process.memory.usage") for (const dp of points(m)) memory += BigInt(dp.asInt!);
  }
  return { cpu, memory };
}

/** assertTruthful checks every interval's exported totals against the host's own history. */
function assertTruthful(output: MetricsData[], opts: FixtureOptions, what: string): void {
  const truth = hostTruth(opts);
  assert.equal(output.length, truth.length);
  truth.forEach((want, i) => {
    const got = exported(output[i]);
    // CPU doubles: added in another order than the truth's, so equal to rounding (1e-9 is far above it).
    assert.ok(Math.abs(got.cpu - want.cpu) <= 1e-9 * want.cpu, `${what}, interval ${i}: CPU ${got.cpu} s exported, the host used ${want.cpu} s`);
    assert.equal(got.memory, want.memory, `${what}, interval ${i}: memory`);
  });
  assert.ok(truth.slice(1).every((t) => t.cpu > 0));
}

describe("simulate and replay tell the truth about a recording", () => {
  const dir = mkdtempSync(join(tmpdir(), "nrdot-truth-"));
  const files = recordings.map(([, opts], i) => join(dir, `rec-${i}.jsonl`));
  before(() => recordings.forEach(([, opts], i) => writeJsonl(files[i], generateHost(opts))));

  for (const [i, [name, opts]] of recordings.entries()) {
    it(`simulate keeps the first interval of processes born during a recording ${name}`, async () => {
      const out = join(dir, `sim-${i}.jsonl`);
      const r = await run(["simulate", "--input", files[i], "--output", out, "--json"]);
      assert.equal(r.code, 0, r.err);
      assertTruthful(parseMetricsJsonl(readFileSync(out, "utf8")), opts, "simulate");
      const rep = JSON.parse(r.out);
      assert.ok(rep.totalsError.cpu < 1e-9 && rep.totalsError.memory === 0, JSON.stringify(rep.totalsError));
    });

    it(`replay keeps the first interval of processes born during a recording ${name}`, async () => {
      const out = join(dir, `rep-${i}.jsonl`);
      const r = await run(["replay", "--input", files[i], "-o", out, "--json", "--collector", collector]);
      assert.equal(r.code, 0, r.err);
      const recording = parseMetricsJsonl(readFileSync(files[i], "utf8"));
      assertTruthful(alignToInput(recording, parseMetricsJsonl(readFileSync(out, "utf8"))), opts, "replay");
      const rep = JSON.parse(r.out);
      assert.ok(rep.totalsError.cpu < 1e-9 && rep.totalsError.memory === 0, JSON.stringify(rep.totalsError));
    });
  }

  it("reports the CPU a config loses against the recording, not against its own conversion", async () => {
    // initial_value: drop loses the first interval of every process born during the recording.
    const cfg = readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8").replace(/(\n  cumulative_to_delta:\n)/, "$1    initial_value: drop\n");
    assert.match(cfg, /initial_value: drop/);
    const file = join(dir, "drop.yaml");
    writeFileSync(file, cfg);
    const r = await run(["simulate", "--config", file, "--input", files[0], "--json"]);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out);
    assert.ok(rep.totalsError.cpu > 0.05, `cpu error ${rep.totalsError.cpu}`);
    assert.equal(rep.totalsError.memory, 0);
    const lost = rep.intervals.slice(1).map((x: { cpu: { recorded: number; output: number } }) => x.cpu.recorded - x.cpu.output);
    assert.ok(lost.every((x: number) => x > 0), `CPU lost per interval: ${lost}`);
  });

  it("reports series per process and cost in points, bytes and series, before and after", async () => {
    const r = await run(["simulate", "--input", files[0], "--json"]);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out);
    const recording = parseMetricsJsonl(readFileSync(files[0], "utf8"));
    assert.equal(rep.cost.before.points, recording.reduce((n, b) => n + b.resourceMetrics.reduce((m, rm) => m + rm.scopeMetrics[0].metrics.reduce((k, x) => k + points(x).length, 0), 0), 0));
    assert.equal(rep.seriesPerProcess.before, 1);
    assert.ok(rep.seriesPerProcess.after >= 1 && rep.seriesPerProcess.after <= 1.05, `series per process ${rep.seriesPerProcess.after}`);
    for (const unit of ["points", "bytes", "series"]) assert.ok(rep.cost.after[unit] < rep.cost.before[unit] / 2, `${unit}: ${rep.cost.before[unit]} -> ${rep.cost.after[unit]}`);
    const text = await run(["simulate", "--input", files[0]]);
    assert.match(text.out, /series per process: 1\.00 recorded, 1\.0\d out/);
    assert.match(text.out, /bytes \(OTLP, gzip\): \d+ recorded, \d+ out/);
  });
});
