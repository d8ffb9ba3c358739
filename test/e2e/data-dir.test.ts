// End to end, a data dir (output, optimizer state, queues) is safe to restart and cannot be
// shared by accident:
//   - a restart appends to data/metrics.jsonl instead of cutting it to zero;
//   - a second bare collector on a data dir in use is refused (the wasm processor's state lock)
//     and leaves the running one's output alone: it used to cut it to zero, and the running one
//     then wrote at its old offset behind a run of NUL bytes;
//   - scripts/run.sh (and the CLI's startCollector) refuse a data dir in use at once, naming the
//     dir and the lock; the lock goes with the collector, even when it is killed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startCollector as start } from "../../src/collector.ts";
import { collectorBin, freePort, operatorPorts, repoRoot, requireBuilt, stopCollector, waitFor, wasmDir } from "./collector.ts";

const ports = async () => ({ ...(await operatorPorts()), NRDOT_TELEMETRY_PORT: String(await freePort()) });

const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const hasNul = (f: string) => readFileSync(f).includes(0);

describe("a data dir: restarts append, a second collector is refused", () => {
  let dir: string;
  let fast: string;
  before(() => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), "nrdot-datadir-"));
    fast = join(dir, "fast.yaml");
    writeFileSync(fast, "receivers:\n  host_metrics:\n    collection_interval: 1s\nprocessors:\n  batch/critical: {timeout: 100ms}\n  batch/standard: {timeout: 100ms}\n  batch/sampled: {timeout: 100ms}\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // The bare collector, as a deployment runs it: no wrapper, no lock of ours.
  const bare = async (data: string) => start(collectorBin, [join(repoRoot, "configs/balanced/agent.yaml"), fast],
    { ...process.env, ...(await ports()), NRDOT_DATA_DIR: data, NRDOT_WASM_DIR: wasmDir });

  it("a restart keeps what the output file has; a second bare collector does not touch it", { timeout: 120_000 }, async () => {
    const data = join(dir, "bare");
    const out = join(data, "metrics.jsonl");
    let a = await bare(data);
    try {
      await waitFor("output", () => (size(out) > 0 ? true : undefined), 30_000, a);
      await stopCollector(a);
      const before = readFileSync(out, "utf8");
      a = await bare(data);
      await waitFor("more output after the restart", () => (size(out) > before.length ? true : undefined), 30_000, a);
      assert.ok(readFileSync(out, "utf8").startsWith(before), "the restart appended to the output");
      const had = size(out);
      // A bare collector has no data-dir lock of ours (scripts/run.sh and the CLI take it: next
      // test), but the wasm processor locks its state directory, so it is refused at start; and
      // what it must never do meanwhile is cut the running one's output.
      const b = await bare(data);
      const code = await Promise.race([b.done, sleep(20_000).then(() => "running")]);
      if (code === "running") await stopCollector(b);
      assert.notEqual(code, "running", "the second collector is still running on a data dir in use");
      assert.notEqual(code, 0);
      assert.ok(size(out) >= had, `the second collector cut the first one's output from ${had} to ${size(out)} bytes`);
      await waitFor("the first collector writing on", () => (size(out) > had ? true : undefined), 30_000, a);
      assert.ok(!hasNul(out), "no NUL bytes in the output");
      assert.ok(readFileSync(out, "utf8").startsWith(before));
    } finally {
      await stopCollector(a);
    }
  });

  it("scripts/run.sh refuses a data dir in use at once, naming the dir and the lock; the lock goes with the collector", { timeout: 120_000 }, async () => {
    const data = join(dir, "run");
    const runSh = async () => {
      const child = spawn(join(repoRoot, "scripts/run.sh"), [], { env: { ...process.env, ...(await ports()), NRDOT_DATA_DIR: data, NRDOT_WASM_DIR: wasmDir }, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (b) => (output += b));
      child.stderr.on("data", (b) => (output += b));
      const done = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
      return { child, done, output: () => output };
    };
    const first = await runSh();
    try {
      await waitFor("the first collector's output", () => (size(join(data, "metrics.jsonl")) > 0 ? true : first.child.exitCode === null ? undefined : (() => { throw new Error(first.output()); })()), 60_000);
      const started = Date.now();
      const second = await runSh();
      const code = await Promise.race([second.done, sleep(10_000).then(() => "running")]);
      if (code === "running") second.child.kill("SIGKILL");
      assert.equal(code, 1, second.output());
      assert.ok(Date.now() - started < 3000, `refused after ${Date.now() - started} ms`);
      assert.match(second.output(), new RegExp(`${data} is in use by another collector \\(pid ${first.child.pid} holds the lock ${join(data, "nrdot.lock")}\\)`));
      // The CLI's own start takes the same lock.
      assert.throws(() => start(collectorBin, join(repoRoot, "configs/balanced/agent.yaml"), process.env, { dataDir: data }), /is in use by another collector .* holds the lock/);
      assert.equal(first.child.exitCode, null, "the first collector runs on");
    } finally {
      first.child.kill("SIGKILL");
      await first.done;
    }
    // Killed, it held the lock no longer: the next one starts.
    const third = await runSh();
    try {
      const code = await Promise.race([third.done, sleep(5000).then(() => "running")]);
      assert.equal(code, "running", third.output());
    } finally {
      third.child.kill("SIGTERM");
      await third.done;
    }
  });
});
