// nrdot record and replay with the real collector; replay decides what simulate decides.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, run } from "./run.ts";
import { parseMetricsJsonl } from "../../src/host/index.ts";
import { alignToInput } from "../../src/replay/intervals.ts";
import { generateHost } from "../fixtures/generate.ts";
import { summary } from "../optimizer/checks.ts";



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

  it("replays a recording through the collector and decides exactly what simulate decides", async () => {
    const rec = join(dir, "host.jsonl");
    const input = generateHost({ intervals: 4 });
    writeFileSync(rec, input.map((b) => JSON.stringify(b)).join("\n") + "\n");
    const replayed = join(dir, "replayed.jsonl");
    const simulated = join(dir, "simulated.jsonl");
    const r1 = await run(["replay", "--input", rec, "-o", replayed, "--json", "--collector", join(repoRoot, "bin/nrdot-collector")]);
    assert.equal(r1.code, 0, r1.err);
    const r2 = await run(["simulate", "--input", rec, "-o", simulated, "--json"]);
    assert.equal(r2.code, 0, r2.err);
    const a = JSON.parse(r1.out);
    const b = JSON.parse(r2.out);
    assert.equal(a.pointsOut, b.pointsOut);
    assert.ok(a.reduction >= 0.9);
    const rep = alignToInput(input, parseMetricsJsonl(readFileSync(replayed, "utf8"), replayed));
    const sim = parseMetricsJsonl(readFileSync(simulated, "utf8"), simulated);
    rep.forEach((batch, i) => assert.deepEqual(summary(batch), summary(sim[i]), `interval ${i}`));
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
