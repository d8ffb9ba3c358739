// nrdot experiment live on this host, with processes spawned for the test: one real collector
// runs both arms on the same scrapes. A clearly cheaper treatment that keeps the critical
// processes passes and its config is promoted (atomically: no temporary file left); the pair
// swapped fails and the existing config is left as it was (rollback).
// SLOW: two collector runs of ~32 s each (5 s scrapes), plus the spawned processes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { liveConfig } from "../../src/experiment/live.ts";
import { loadProfile } from "../../src/profile/load.ts";
import { repoRoot, run } from "../cli/run.ts";

describe("experiment live's collector config", () => {
  it("starts both arms cold: no wasm processor keeps state across runs", () => {
    const cfg = liveConfig(loadProfile("balanced").profile, loadProfile("aggressive").profile, "10s", "/tmp/x") as { processors: Record<string, Record<string, unknown>> };
    const wasm = Object.entries(cfg.processors).filter(([id]) => id.startsWith("wasm/"));
    assert.deepEqual(wasm.map(([id]) => id).sort(), ["wasm/control", "wasm/treatment"]);
    for (const [id, p] of wasm) {
      for (const key of ["state_directory", "storage", "checkpoint_interval"]) assert.equal(p[key], undefined, `${id}: ${key}`);
    }
  });
});

const collector = join(repoRoot, "bin/nrdot-collector");

describe("nrdot experiment live (slow: real collector)", { skip: !existsSync(collector) && "bin/nrdot-collector is not built" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "nrdot-live-test-"));
  const children: ChildProcess[] = [];
  before(() => {
    // 30 idle workers and 2 "databases" under names of their own.
    const sleeper = join(dir, "exp-worker");
    const db = join(dir, "exp-db");
    copyFileSync("/bin/sleep", sleeper);
    copyFileSync("/bin/sleep", db);
    for (let i = 0; i < 30; i++) children.push(spawn(sleeper, ["600"], { stdio: "ignore" }));
    for (let i = 0; i < 2; i++) children.push(spawn(db, ["600"], { stdio: "ignore" }));
    const rules = "rules:\n  - {executable: exp-db, tier: critical}\n";
    writeFileSync(join(dir, "wide.yaml"), `extends: balanced\nmax_processes: 500\n${rules}`);
    writeFileSync(join(dir, "narrow.yaml"), `extends: balanced\nmax_processes: 2\n${rules}`);
  });
  after(() => {
    for (const c of children) c.kill("SIGKILL");
  });
  const spec = (name: string, control: string, treatment: string) => {
    const f = join(dir, `${name}.yaml`);
    writeFileSync(f, `hypothesis: ${treatment} cuts cost by 20% and keeps every critical process\ncontrol: ./${control}.yaml\ntreatment: ./${treatment}.yaml\n` +
      "criteria:\n  min_cost_reduction: 0.2\n  max_totals_error: 0.005\n  min_critical_recall: 1.0\n  alpha: 0.05\n  min_power: 0.8\n");
    return f;
  };
  const live = (f: string, target: string, ...more: string[]) => run(["experiment", "live", f, "--duration", "32s", "--interval", "5s", "--promote-to", target, "--json", "--collector", collector, ...more]);

  it("promotes a treatment that passes: the treatment's config, written atomically", async () => {
    const target = join(dir, "agent.yaml");
    writeFileSync(target, "# the config in production\n");
    const kept = join(dir, "kept");
    const r = await live(spec("pass", "wide", "narrow"), target, "--keep", kept);
    assert.equal(r.code, 0, r.err + r.out);
    const j = JSON.parse(r.out);
    assert.equal(j.verdict, "pass");
    assert.equal(j.promoted, true);
    assert.ok(j.units >= 5, `units ${j.units}`);
    assert.ok(j.criteria.min_critical_recall.units >= 5, "the critical processes were in every scrape");
    assert.match(r.err, /promoted/);
    const cfg = readFileSync(target, "utf8");
    assert.match(cfg, /^# Promoted by `nrdot experiment live pass\.yaml`/);
    assert.equal(parse(cfg).processors["wasm/optimize"].config.max_processes, 2);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), [], "no temporary file left");
    // The gate between rollout steps reads the same three streams and comes to the same verdict.
    const a = await run(["experiment", "analyze", join(dir, "pass.yaml"), "--json", ...["reference", "control", "treatment"].flatMap((s) => [`--${s}`, join(kept, `${s}.jsonl`)])]);
    assert.equal(a.code, 0, a.err);
    const ja = JSON.parse(a.out);
    assert.equal(ja.verdict, "pass");
    assert.deepEqual(ja.criteria, j.criteria);
    assert.match(readFileSync(join(kept, "live.yaml"), "utf8"), /metrics\/reference/);
  });

  it("rolls back a treatment that fails: the existing config is left as it was, and it says why", async () => {
    const target = join(dir, "agent-2.yaml");
    writeFileSync(target, "# the config in production\n");
    const r = await live(spec("fail", "narrow", "wide"), target);
    assert.equal(r.code, 3, r.err + r.out);
    const j = JSON.parse(r.out);
    assert.equal(j.verdict, "fail");
    assert.equal(j.promoted, false);
    assert.equal(j.criteria.min_cost_reduction.outcome, "fail");
    assert.match(r.err, /rolled back \(fail\): .*agent-2\.yaml left as it was; min_cost_reduction failed/);
    assert.equal(readFileSync(target, "utf8"), "# the config in production\n");
  });
});
