// nrdot simulate on recordings: the synthetic busy host, and a cumulative stream as the
// collector's file exporter records it without cumulative_to_delta.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, run } from "./run.ts";
import { parse, stringify } from "yaml";
import { generateHost } from "../fixtures/generate.ts";



describe("nrdot simulate", () => {
  const dir = mkdtempSync(join(tmpdir(), "nrdot-sim-"));
  const host = join(dir, "host.jsonl");
  before(() => writeFileSync(host, generateHost({ intervals: 10 }).map((b) => JSON.stringify(b)).join("\n") + "\n"));

  it("reports the balanced profile on a busy host: ≥ 90% fewer points, no critical lost, exact totals", async () => {
    const out = join(dir, "out.jsonl");
    const page = join(dir, "report.html");
    const r = await run(["simulate", "--input", host, "--json", "--output", out, "--html", page]);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out);
    assert.ok(rep.reduction >= 0.9, `reduction ${rep.reduction}`);
    assert.equal(rep.criticalDropped, 0);
    assert.ok(rep.criticalKept > 0);
    // Against the recording: memory exact, CPU to float rounding.
    assert.ok(rep.totalsError.cpu < 1e-9 && rep.totalsError.memory === 0, JSON.stringify(rep.totalsError));
    assert.ok(rep.monthlyCost.after < rep.monthlyCost.before);
    assert.equal(readFileSync(out, "utf8").trim().split("\n").length, 10, "one output line per interval");
    assert.match(readFileSync(page, "utf8"), /<svg/);
  });

  it("keeps more with conservative than with emergency", async () => {
    const red = async (p: string) => JSON.parse((await run(["simulate", "--profile", p, "--input", host, "--json"])).out).reduction;
    assert.ok((await red("conservative")) < (await red("emergency")));
  });

  it("counts the critical processes a config rolls up as dropped", async () => {
    // keep_tiers without critical and room for one process: critical processes are ranked like
    // any other and most are rolled up, which is what "critical dropped" is there to show.
    const cfg = parse(readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8"));
    Object.assign(cfg.processors["wasm/optimize"].config, { keep_tiers: [], max_processes: 1, always_keep_top: 0 });
    const file = join(dir, "no-protected-tiers.yaml");
    writeFileSync(file, stringify(cfg));
    const r = await run(["simulate", "--input", host, "--config", file, "--json"]);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out);
    assert.ok(rep.criticalDropped > 0, `critical dropped: ${rep.criticalDropped}, kept: ${rep.criticalKept}`);
  });

  it("converts a cumulative recording to deltas as the config's cumulative_to_delta does", async () => {
    const rec = join(dir, "cumulative.jsonl");
    const lines = [0, 1, 2].map((i) => JSON.stringify({ resourceMetrics: Array.from({ length: 40 }, (_, p) => ({
      resource: { attributes: [{ key: "process.pid", value: { intValue: String(100 + p) } }, { key: "process.executable.name", value: { stringValue: `w${p}` } }] },
      scopeMetrics: [{ metrics: [
        { name: "process.cpu.time", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: "1000000000000", timeUnixNano: String((1000 + 10 * i) * 1e9), asDouble: (p + 1) * (i + 1) }] } },
        { name: "process.memory.usage", sum: { aggregationTemporality: 2, isMonotonic: false, dataPoints: [{ timeUnixNano: String((1000 + 10 * i) * 1e9), asInt: String(1e6 * (p + 1)) }] } },
      ] }],
    })) }));
    writeFileSync(rec, lines.join("\n") + "\n");
    const out = join(dir, "cum-out.jsonl");
    const r = await run(["simulate", "--input", rec, "--output", out, "--json"]);
    assert.equal(r.code, 0, r.err);
    const batches = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const cpu = (b: any) => b.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics.filter((m: any) => m.name === "process.cpu.time")
      .flatMap((m: any) => m.sum.dataPoints.map((dp: any) => dp.asDouble ?? Number(dp.asInt)))));
    assert.equal(cpu(batches[0]).length, 0, "the first interval has no deltas yet");
    const want = Array.from({ length: 40 }, (_, p) => p + 1).reduce((a, b) => a + b, 0);
    assert.equal(cpu(batches[1]).reduce((a: number, b: number) => a + b, 0), want, "kept + other = the sum of the deltas");
  });

  it("names a missing recording and conflicting options", async () => {
    const r = await run(["simulate", "--input", join(dir, "nope.jsonl")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /nope\.jsonl: no such recording/);
    const r2 = await run(["simulate", "--input", host, "--profile", "balanced", "--config", join(repoRoot, "configs/balanced/agent.yaml")]);
    assert.equal(r2.code, 1);
    assert.match(r2.err, /give one of them/);
    assert.ok(!existsSync(join(dir, "never-written")));
  });
});
