// The nrdot-collector image end to end, through testcontainers (the Docker API):
//   1. it starts with the image's default command (its agent config, health_check and telemetry
//      on every interface) as the image's user 10001, plus a mounted overlay that feeds the
//      optimizer pipeline from an OTLP/HTTP receiver (instead of this host's processes, so the
//      input is known) with a 1 s checkpoint_interval, and answers health_check on 13133;
//   2. OTLP sent to it comes out optimized in the file on the mounted data volume (one process
//      kept, the other rolled up into `other`), and the :8888 telemetry counts it;
//   3. SIGKILLed (no shutdown, so no last snapshot) and replaced by a new container on the same
//      data volume, it restores the optimizer's state: a batch whose ranking only the restored,
//      smoothed history decides keeps the historically busy process, while a container on an empty
//      volume, given the same batch, keeps the other one (the control).
// The engine: test/deploy/engine.ts (a Docker engine or podman when one answers; otherwise it
// prepares podman and starts its API service, and stops it at the end). The image must be in that
// engine's storage; when it is missing it is built with scripts/image.sh (needs `make build`).
// `make test` builds it first (test-image runs before test-node).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parse as parseYaml } from "yaml";
import { points, pointValue, valueString } from "../../src/host/otlp.ts";
import { parseText, sum, type Scrape } from "../../src/status/prom.ts";
import { M } from "../../src/status/telemetry.ts";
import { readBatches } from "../e2e/collector.ts";
import { ensureEngine, type Engine } from "./engine.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const version = (parseYaml(readFileSync(join(repoRoot, "builder-config.yaml"), "utf8")) as { dist: { version: string } }).dist.version;
const IMAGE = process.env.NRDOT_IMAGE ?? `nrdot-collector:${version}`;
const UID = 10001; // the image's user
const STARTUP_MS = 180_000; // a 2-core CI machine, vfs storage: starting a container copies nothing, but be generous
const OUTPUT_MS = 90_000;
const RUN_LABEL = `image-e2e-${process.pid}`; // on every container this run creates, to remove them all

// Appended to the image's default command (its agent config and the overrides that make
// health_check and the telemetry endpoint listen on every interface), so merged over them (later
// --config sources win; lists are replaced).
// The optimizer is set so that one number decides: max_processes 1, CPU weight only, nothing
// protected, no top-N, no hysteresis, no degradation, and a slow EWMA (alpha 0.01) so the
// smoothed history outweighs one new batch.
const OVERLAY = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 0.0.0.0:4318
processors:
  wasm/optimize:
    checkpoint_interval: 1s
    config:
      max_processes: 1
      always_keep_top: 0
      keep_tiers: []
      weights: {importance: 0, cpu: 1, memory: 0}
      ewma_alpha: 0.01
      hysteresis: 0
      degradation: []
  batch/critical: {timeout: 200ms}
  batch/standard: {timeout: 200ms}
  batch/sampled: {timeout: 200ms}
service:
  pipelines:
    metrics/ingest:
      receivers: [otlp]
`;

/** The receiver's accepted points (not among src/status/telemetry.ts's names, which nrdot status reads). */
const ACCEPTED = "otelcol_receiver_accepted_metric_points";

const BUSY = "nrdot-e2e-busy";
const QUIET = "nrdot-e2e-quiet";

// ---- OTLP/JSON input -------------------------------------------------------------------------

const nanos = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });

interface Proc { pid: number; name: string; cores: number }

/** A batch as the process scraper sends it (after cumulative_to_delta): CPU seconds over the
 *  interval [fromMs, toMs], memory, uptime since startSec; `phase` marks the batch's output. */
function batch(phase: string, procs: Proc[], fromMs: number, toMs: number, startSec: number): string {
  return JSON.stringify({
    resourceMetrics: procs.map((p) => ({
      resource: {
        attributes: [
          { key: "process.pid", value: { intValue: String(p.pid) } },
          str("process.executable.name", p.name),
          str("process.command_line", `/usr/bin/${p.name} --serve`),
          str("process.owner", "app"),
          str("e2e.phase", phase),
        ],
      },
      scopeMetrics: [{
        scope: { name: "nrdot-e2e" },
        metrics: [
          {
            name: "process.cpu.time", unit: "s",
            sum: {
              aggregationTemporality: 1, isMonotonic: true, // delta
              dataPoints: [{ attributes: [str("state", "user")], startTimeUnixNano: nanos(fromMs), timeUnixNano: nanos(toMs), asDouble: (p.cores * (toMs - fromMs)) / 1000 }],
            },
          },
          {
            name: "process.memory.usage", unit: "By",
            sum: { aggregationTemporality: 2, isMonotonic: false, dataPoints: [{ startTimeUnixNano: nanos(startSec * 1000), timeUnixNano: nanos(toMs), asInt: "104857600" }] },
          },
          { name: "process.uptime", unit: "s", gauge: { dataPoints: [{ timeUnixNano: nanos(toMs), asDouble: toMs / 1000 - startSec }] } },
        ],
      }],
    })),
  });
}
const POINTS_PER_PROCESS = 3;

async function send(c: Collector, body: string): Promise<void> {
  const url = `http://${c.host}:${c.port(4318)}/v1/metrics`;
  let last = "";
  for (let i = 0; i < 20; i++) {
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(15_000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200 && !/rejectedDataPoints"\s*:\s*"?[1-9]/.test(last)) return;
    } catch (e) {
      last = String(e);
    }
    await sleep(1000);
  }
  throw new Error(`OTLP to ${url} not accepted: ${last}\n${c.logs()}`);
}

// ---- output and telemetry --------------------------------------------------------------------

interface OutResource { attrs: Record<string, string>; points: Record<string, number> }

/** The file exporter's output: each resource's attributes (as strings) and, per metric, the sum of its points. */
function readOutput(path: string): OutResource[] {
  return readBatches(path).flatMap((b) => b.resourceMetrics.map((rm) => ({
    attrs: Object.fromEntries((rm.resource?.attributes ?? []).map((kv) => [kv.key, valueString(kv.value)])),
    points: Object.fromEntries((rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? [])
      .map((m) => [m.name, points(m).reduce((sum, dp) => sum + pointValue(dp), 0)])),
  })));
}

interface PhaseOutput { kept: string[]; other: OutResource }

/** Waits until a phase's output holds an `other` roll-up and at least one kept process. */
async function phaseOutput(c: Collector, dataDir: string, phase: string): Promise<PhaseOutput> {
  const file = join(dataDir, "metrics.jsonl");
  return waitFor(`the optimized output of phase ${phase} in ${file}`, OUTPUT_MS, c, () => {
    const rs = readOutput(file).filter((r) => r.attrs["e2e.phase"] === phase);
    const other = rs.find((r) => r.attrs["nrdot.rollup"] === "true");
    const kept = rs.filter((r) => r.attrs["nrdot.rollup"] !== "true").map((r) => r.attrs["process.executable.name"]);
    return other && kept.length > 0 ? { kept: [...new Set(kept)], other } : undefined;
  });
}

/** The :8888 telemetry, parsed (series names as exposed: src/status/telemetry.ts). */
async function telemetry(c: Collector): Promise<Scrape> {
  const res = await fetch(`http://${c.host}:${c.port(8888)}/metrics`, { signal: AbortSignal.timeout(15_000) });
  assert.equal(res.status, 200, "the :8888 telemetry endpoint");
  return parseText(await res.text());
}

async function waitFor<T>(what: string, timeoutMs: number, c: Collector | undefined, fn: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${c ? `\ncontainer log:\n${c.logs()}` : ""}`);
    await sleep(500);
  }
}

/** The processor's state files on a data volume (<state dir>/<component id>.state). */
function stateFiles(dir: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(".state")) found.push(join(e.parentPath ?? (e as any).path, e.name));
  }
  return found.sort();
}

// ---- containers ------------------------------------------------------------------------------

interface Collector {
  id: string;
  host: string;
  port(p: number): number;
  logs(): string;
}

describe(`the ${IMAGE} image under testcontainers`, { timeout: 900_000 }, () => {
  let engine: Engine | undefined;
  let tc: typeof import("testcontainers");
  let work: string;
  let command: string[]; // the image's CMD, and the overlay
  const ids: string[] = [];

  before(async () => {
    engine = await ensureEngine();
    console.log(`engine: ${engine.description}`);
    // testcontainers reads DOCKER_HOST and TESTCONTAINERS_RYUK_DISABLED once, when first used.
    tc = await import("testcontainers");
    const client = await tc.getContainerRuntimeClient();
    const name = tc.ImageName.fromString(IMAGE);
    if (!(await client.image.exists(name))) {
      console.log(`${IMAGE} is not in the engine's storage: building it with scripts/image.sh (${engine.kind})`);
      const built = spawnSync(join(repoRoot, "scripts/image.sh"), { cwd: repoRoot, stdio: "inherit", timeout: 900_000, env: { ...process.env, NRDOT_IMAGE_ENGINE: engine.kind } });
      assert.equal(built.status, 0, `scripts/image.sh failed (it needs \`make build\` first)`);
      assert.ok(await client.image.exists(name), `${IMAGE} built, but the engine at ${engine.dockerHost} does not see it (another storage driver?)`);
    }
    const config = (await client.image.inspect(name)).Config;
    assert.equal(config.User, `${UID}:${UID}`, `${IMAGE} runs as the numeric user runAsNonRoot checks`);
    const cmd = config.Cmd ?? [];
    assert.ok(cmd.includes("--config=/etc/nrdot/agent.yaml"), `${IMAGE}'s CMD runs the default agent config: ${JSON.stringify(cmd)}`);
    command = [...cmd, "--config=/etc/nrdot-e2e/overlay.yaml"];
    work = mkdtempSync(join(tmpdir(), "nrdot-image-e2e-"));
    chmodSync(work, 0o755); // an engine running as another user mounts folders in it
    mkdirSync(join(work, "conf"), { mode: 0o755 });
    chmodSync(join(work, "conf"), 0o755);
    writeFileSync(join(work, "conf/overlay.yaml"), OVERLAY, { mode: 0o644 });
  });

  after(async () => {
    try {
      if (tc) {
        // Also those whose start failed half-way (created, never returned to the test).
        const client = await tc.getContainerRuntimeClient();
        const labelled = await client.container.dockerode.listContainers({ all: true, filters: { label: [`nrdot.test=${RUN_LABEL}`] } }).catch(() => []);
        for (const id of new Set([...ids, ...labelled.map((c) => c.Id)])) {
          await client.container.getById(id).remove({ force: true, v: true }).catch(() => {});
        }
      }
    } finally {
      try {
        if (work) rmSync(work, { recursive: true, force: true });
      } catch (e) {
        console.log(`could not remove ${work} (files of the container's user): ${e}`);
      }
      if (engine?.started) console.log(`stopping the podman service this test started (${engine.dockerHost})`);
      await engine?.stop();
    }
  });

  /** A data volume the image's user can write: a host folder, so the test reads what it holds. */
  function dataVolume(name: string): string {
    const dir = join(work, name);
    mkdirSync(dir);
    try {
      chownSync(dir, UID, UID);
    } catch {
      chmodSync(dir, 0o777); // not root: let the container's user write anyway
    }
    return dir;
  }

  async function start(dataDir: string): Promise<Collector> {
    let log = "";
    const started = await new tc.GenericContainer(IMAGE)
      .withCommand(command)
      .withBindMounts([
        { source: dataDir, target: "/var/lib/nrdot", mode: "rw" },
        { source: join(work, "conf"), target: "/etc/nrdot-e2e", mode: "ro" },
      ])
      // Every port the image EXPOSEs: podman 4.3 lists the unmapped ones in HostConfig.PortBindings
      // (with no binding), and testcontainers waits for all of those to be bound.
      .withExposedPorts(4317, 4318, 13133, 8888)
      .withLabels({ "nrdot.test": RUN_LABEL })
      .withLogConsumer((s) => s.on("data", (d: Buffer | string) => (log += d.toString())))
      .withWaitStrategy(tc.Wait.forHttp("/", 13133).forStatusCode(200))
      .withStartupTimeout(STARTUP_MS)
      .start();
    ids.push(started.getId());
    return { id: started.getId(), host: started.getHost(), port: (p) => started.getMappedPort(p), logs: () => log };
  }

  // Shared by the steps, which run in order.
  const startSec = Math.floor(Date.now() / 1000) - 3600; // both processes started an hour ago
  const procs = (busy: number, quiet: number): Proc[] => [
    { pid: 4242, name: BUSY, cores: busy },
    { pid: 4343, name: QUIET, cores: quiet },
  ];
  let volume: string;
  let first: Collector;
  let lastMs = 0;
  const BATCHES = 3;

  it("starts from the image and answers health_check on 13133", { timeout: STARTUP_MS + 60_000 }, async () => {
    volume = dataVolume("data");
    first = await start(volume);
    const res = await fetch(`http://${first.host}:${first.port(13133)}/`);
    assert.equal(res.status, 200);
    console.log(`healthy: ${await res.text()}`);
  });

  it("optimizes the OTLP it receives into the data volume, and counts it on :8888", { timeout: 300_000 }, async () => {
    assert.ok(first, "the first container did not start");
    lastMs = Date.now() - 10_000;
    for (let i = 0; i < BATCHES; i++) {
      if (i > 0) await sleep(1500); // past checkpoint_interval: each batch may be checkpointed
      const now = Date.now();
      await send(first, batch("before-kill", procs(1.0, 0.1), lastMs, now, startSec));
      lastMs = now;
    }
    const out = await phaseOutput(first, volume, "before-kill");
    console.log(`before the kill: kept ${out.kept.join(", ")}; rolled up ${out.other.points["nrdot.rollup.count"]} process(es) into other`);
    assert.deepEqual(out.kept, [BUSY], "max_processes 1: only the busy process is kept");
    assert.equal(out.other.attrs["process.executable.name"], "other");
    assert.equal(out.other.attrs["nrdot.tier"], "sampled");
    assert.ok(out.other.points["process.cpu.time"] > 0, "the roll-up keeps the quiet process's CPU");

    const sent = BATCHES * 2 * POINTS_PER_PROCESS;
    const accepted = (t: Scrape) => sum(t, ACCEPTED, { receiver: "otlp" });
    const text = await waitFor("the :8888 telemetry to count every batch", OUTPUT_MS, first, async () => {
      const t = await telemetry(first);
      return (accepted(t) ?? 0) >= sent && (sum(t, M.rowsIn) ?? 0) >= BATCHES * 2 ? t : undefined;
    });
    const rowsIn = sum(text, M.rowsIn);
    const kept = sum(text, M.rowsKept);
    const rolled = sum(text, M.rowsRolledUp);
    const incoming = sum(text, M.incoming, { processor: "wasm/optimize" });
    const outgoing = sum(text, M.outgoing, { processor: "wasm/optimize" });
    console.log(`:8888: accepted ${accepted(text)} points over OTLP; ` +
      `wasm/optimize rows in ${rowsIn}, kept ${kept}, rolled up ${rolled}; items in ${incoming}, out ${outgoing}`);
    assert.equal(accepted(text), sent);
    assert.equal(rowsIn, BATCHES * 2);
    assert.equal(kept, BATCHES);
    assert.equal(rolled, BATCHES);
    assert.equal(sum(text, M.stateResets) ?? 0, 0, "no state reset on a fresh volume");
  });

  it("is SIGKILLed, and a new container on the same volume restores the optimizer's state", { timeout: STARTUP_MS + 300_000 }, async () => {
    assert.ok(lastMs > 0, "the previous step did not send its batches");
    const client = await tc.getContainerRuntimeClient();

    // The checkpoint of the last batch is on the volume before the kill (nothing arrives after it).
    const files = await waitFor(`the optimizer's state file on the volume (${volume})`, OUTPUT_MS, first, () => {
      const f = stateFiles(volume);
      return f.length > 0 ? f : undefined;
    });
    const stateFile = files.find((f) => f.endsWith("wasm_optimize.state")) ?? files[0];
    const header = readFileSync(stateFile).subarray(0, 4).toString("latin1");
    assert.equal(header, "NRDS", `${stateFile} has the state file's magic`);
    const digest = () => createHash("sha256").update(readFileSync(stateFile)).digest("hex");
    const before = digest();

    // SIGKILL through the Docker API (container.restart() would stop it with SIGTERM first).
    const killed = client.container.getById(first.id);
    await killed.kill({ signal: "SIGKILL" });
    const exit = await waitFor("the killed container to exit", 60_000, undefined, async () => {
      const s = (await killed.inspect()).State;
      return s.Running ? undefined : s;
    });
    console.log(`killed with SIGKILL: exit code ${exit.ExitCode}; state file ${stateFile.slice(volume.length + 1)} (${readFileSync(stateFile).length} bytes)`);
    assert.equal(exit.ExitCode, 137, "the container ended by SIGKILL (128 + 9)");
    assert.doesNotMatch(first.logs(), /Shutdown complete|Received signal/, "the collector got no chance to shut down");
    assert.equal(digest(), before, "no last snapshot at shutdown: the state on the volume is the last checkpoint");

    // A new container on the same volume, and a batch that only the restored history decides:
    // now the quiet process uses more CPU than the busy one.
    const second = await start(volume);
    const now = Date.now();
    const swapped = (phase: string) => batch(phase, procs(0.2, 0.5), lastMs, now, startSec);
    await send(second, swapped("after-restart"));
    const restored = await phaseOutput(second, volume, "after-restart");
    const text = await telemetry(second);
    const resets = sum(text, M.stateResets) ?? 0;
    console.log(`after the restart: kept ${restored.kept.join(", ")} (busy for the restored history); state resets ${resets}`);
    const said = second.logs().split("\n").find((l) => /restor/i.test(l));
    if (said) console.log(`the new container's log: ${said.trim()}`);
    assert.doesNotMatch(second.logs(), /starting fresh/, "the saved state was usable");
    assert.equal(resets, 0, "otelcol_processor_wasm_state_resets");
    assert.deepEqual(restored.kept, [BUSY], "the restored smoothed CPU (busy ~0.99, quiet ~0.10 cores) outweighs one batch of 0.2 vs 0.5");

    // The control: the same batch on an empty volume keeps the quiet process, so the check above
    // tells restored state from none.
    const emptyVolume = dataVolume("data-control");
    const control = await start(emptyVolume);
    await send(control, swapped("control"));
    const fresh = await phaseOutput(control, emptyVolume, "control");
    console.log(`control on an empty volume: kept ${fresh.kept.join(", ")}`);
    assert.deepEqual(fresh.kept, [QUIET], "without state, the batch alone decides");
  });
});
