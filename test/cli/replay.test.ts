// nrdot record and replay with the real collector; replay decides what simulate decides, and its
// cumulative_to_delta makes of a recording what simulate's model makes of it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, run } from "./run.ts";
import { stringify } from "yaml";
import { attributeSetKey, parseMetricsJsonl, points, pointValue, type MetricsData } from "../../src/host/index.ts";
import { alignToInput } from "../../src/replay/intervals.ts";
import { replayConfig } from "../../src/replay/config.ts";
import { agentConfig } from "../../src/generate/agent.ts";
import { loadProfile } from "../../src/profile/load.ts";
import { generateHost, writeJsonl } from "../fixtures/generate.ts";
import { summary } from "../optimizer/checks.ts";

/** pointList is every point of a batch as one sortable line: process, metric, attributes, times, value. */
function pointList(b: MetricsData): string[] {
  return b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.flatMap((m) => points(m).map((dp) =>
    [attributeSetKey(rm.resource?.attributes), m.name, m.sum?.aggregationTemporality ?? "gauge", attributeSetKey(dp.attributes), dp.startTimeUnixNano ?? "0", dp.timeUnixNano, dp.asInt !== undefined ? `i${dp.asInt}` : `d${pointValue(dp)}`].join("|"))))).sort();
}

describe("replayConfig", () => {
  it("keeps every piece of state in the replay's own folder, none in the data dir", () => {
    const cfg: any = agentConfig(loadProfile("balanced").profile, "otlp");
    cfg.processors["wasm/legacy"] = { module: "x.wasm", storage: "file_storage/legacy" };
    cfg.extensions["file_storage/legacy"] = { directory: "./data/legacy" };
    const r = replayConfig(cfg, "/tmp/rec.jsonl", "/tmp/out.jsonl", "/tmp/replay/state");
    assert.equal(r.processors["wasm/optimize"].state_directory, "/tmp/replay/state/wasm");
    assert.deepEqual(r.extensions, {
      file_storage: { directory: "/tmp/replay/state", create_directory: true },
      "file_storage/legacy": { directory: "/tmp/replay/state/file_storage_legacy", create_directory: true },
    });
    assert.deepEqual(r.service.extensions, ["file_storage", "file_storage/legacy"]);
    assert.doesNotMatch(JSON.stringify(r), /NRDOT_DATA_DIR|\.\/data/);
  });
});

describe("nrdot record and replay", () => {
  const dir = mkdtempSync(join(tmpdir(), "nrdot-replay-"));

  it("records this host's processes, unoptimized", async () => {
    const rec = join(dir, "rec.jsonl");
    const r = await run(["record", "--duration", "5s", "--interval", "1s", "-o", rec, "--collector", join(repoRoot, "bin/nrdot-collector")]);
    assert.equal(r.code, 0, r.err);
    const batches = parseMetricsJsonl(readFileSync(rec, "utf8"), rec);
    assert.ok(batches.length >= 2, `${batches.length} scrapes`);
    assert.ok(batches[0].resourceMetrics.some((rm) => rm.resource?.attributes?.some((a) => a.key === "process.executable.name")));
    assert.ok(!batches[0].resourceMetrics.some((rm) => rm.resource?.attributes?.some((a) => a.key === "nrdot.tier")), "not optimized");
  });

  it("records the metrics a profile turns on", async () => {
    const profile = join(dir, "threads.yaml");
    writeFileSync(profile, "extends: balanced\nmetrics:\n  process.threads: true\n");
    const rec = join(dir, "rec-threads.jsonl");
    const r = await run(["record", "--duration", "5s", "--interval", "1s", "--profile", profile, "-o", rec, "--collector", join(repoRoot, "bin/nrdot-collector")]);
    assert.equal(r.code, 0, r.err);
    const names = new Set(parseMetricsJsonl(readFileSync(rec, "utf8"), rec).flatMap((b) => b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.name)))));
    assert.ok(names.has("process.threads"), `recorded: ${[...names].join(", ")}`);
  });

  it("replays a recording through the collector and decides exactly what simulate decides", async () => {
    // As the scraper records: both run cumulative_to_delta, the collector's and simulate's model.
    const rec = join(dir, "host.jsonl");
    const input = generateHost({ intervals: 4, temporality: "cumulative" });
    writeJsonl(rec, input);
    const replayed = join(dir, "replayed.jsonl");
    const simulated = join(dir, "simulated.jsonl");
    // The data dir the generated config names: a replay must neither read nor write it.
    const data = join(dir, "data");
    const r1 = await run(["replay", "--input", rec, "-o", replayed, "--json", "--collector", join(repoRoot, "bin/nrdot-collector")], { NRDOT_DATA_DIR: data });
    assert.equal(r1.code, 0, r1.err);
    assert.ok(!existsSync(data), "replay touched NRDOT_DATA_DIR");
    const r2 = await run(["simulate", "--input", rec, "-o", simulated, "--json"]);
    assert.equal(r2.code, 0, r2.err);
    const a = JSON.parse(r1.out);
    const b = JSON.parse(r2.out);
    assert.equal(a.pointsOut, b.pointsOut);
    assert.ok(a.reduction >= 0.9);
    const rep = alignToInput(input, parseMetricsJsonl(readFileSync(replayed, "utf8"), replayed));
    const sim = parseMetricsJsonl(readFileSync(simulated, "utf8"), simulated);
    rep.forEach((batch, i) => assert.deepEqual(summary(batch), summary(sim[i]), `interval ${i}`));
    assert.equal(a.seriesPerProcess.after, b.seriesPerProcess.after);
    // The same CPU, added up in the order each wrote its resources in.
    a.intervals.forEach((x: any, i: number) => assert.ok(Math.abs(x.cpu.output - b.intervals[i].cpu.output) <= 1e-9 * x.cpu.recorded, `interval ${i}: ${x.cpu.output} vs ${b.intervals[i].cpu.output}`));
  });

  it("converts a recording's counters as simulate's model does, even days after it was made", async () => {
    // The collector's cumulative_to_delta alone, on the host as the scraper recorded it three days
    // ago: replay must make of it exactly the fixture's delta form, which is simulate's model's.
    const t0 = Math.floor(Date.now() / 1000) - 3 * 86_400;
    const rec = join(dir, "old.jsonl");
    const recording = generateHost({ intervals: 4, temporality: "cumulative", t0 });
    writeJsonl(rec, recording);
    const cfg = join(dir, "c2d.yaml");
    writeFileSync(cfg, stringify({
      receivers: { host_metrics: { collection_interval: "10s", scrapers: { process: {} } } },
      processors: { cumulative_to_delta: { include: { match_type: "strict", metrics: ["process.cpu.time", "process.disk.io"] } } },
      exporters: { file: { path: join(dir, "unused.jsonl") } },
      service: { pipelines: { metrics: { receivers: ["host_metrics"], processors: ["cumulative_to_delta"], exporters: ["file"] } } },
    }));
    const out = join(dir, "c2d-out.jsonl");
    const r = await run(["replay", "--config", cfg, "--input", rec, "-o", out, "--collector", join(repoRoot, "bin/nrdot-collector")]);
    assert.equal(r.code, 0, r.err);
    const got = alignToInput(recording, parseMetricsJsonl(readFileSync(out, "utf8"), out));
    const want = generateHost({ intervals: 4, t0 });
    got.forEach((b, i) => assert.deepEqual(pointList(b), pointList(want[i]), `interval ${i}`));
  });

  it("says when the collector binary is absent", async () => {
    const r = await run(["record", "--duration", "1s", "-o", join(dir, "x.jsonl"), "--collector", "/nonexistent/otelcol"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /the collector binary is missing/);
    const r2 = await run(["record", "--duration", "five", "-o", join(dir, "x.jsonl")]);
    assert.match(r2.err, /--duration five: expected a duration like 30s/);
    assert.ok(!existsSync(join(dir, "x.jsonl")));
  });
});
