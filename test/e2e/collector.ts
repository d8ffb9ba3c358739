// Helpers for end-to-end tests that run the real built collector (bin/nrdot-collector).
import { spawn, type ChildProcess } from "node:child_process";
import { startCollector as start, type Running } from "../../src/collector.ts";
import { parseMetricsJsonl, type MetricsData } from "../../src/host/index.ts";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const repoRoot = resolve(import.meta.dirname, "../..");
export const collectorBin = join(repoRoot, "bin/nrdot-collector");
export const wasmDir = join(repoRoot, "build/wasm");

export function requireBuilt(): void {
  for (const f of [collectorBin, join(wasmDir, "classify.wasm")]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`make build\` first`);
  }
}

/**
 * Starts the collector on config files (later ones override) with env added to this process's;
 * a data dir given as NRDOT_DATA_DIR is locked while it runs, as scripts/run.sh locks it.
 */
export function startCollector(configs: string | string[], env: Record<string, string> = {}): Running {
  return start(collectorBin, configs, { ...process.env, ...env }, { dataDir: env.NRDOT_DATA_DIR });
}

export async function stopCollector(run: Running): Promise<void> {
  await run.stop();
}

/** Spawns `sleep` under a chosen executable name, so the process scraper sees that name. */
export function spawnNamed(dir: string, name: string): ChildProcess {
  const exe = join(dir, name);
  copyFileSync("/bin/sleep", exe);
  return spawn(exe, ["600"], { stdio: "ignore" });
}

export interface Resource {
  attrs: Record<string, unknown>;
  metricNames: string[];
}

/**
 * readBatches reads the file exporter's OTLP/JSON lines as far as they are written: nothing when
 * the file is not there yet, and a line that does not parse (still being written) skipped.
 */
export function readBatches(path: string): MetricsData[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").flatMap((line) => {
    try {
      return parseMetricsJsonl(line, path);
    } catch {
      return []; // the last line may still be being written
    }
  });
}

/** Reads the file exporter's OTLP/JSON lines into resources. */
export function readResources(path: string): Resource[] {
  const out: Resource[] = [];
  for (const b of readBatches(path)) {
    for (const rm of b.resourceMetrics) {
      const attrs: Record<string, unknown> = {};
      for (const kv of rm.resource?.attributes ?? []) {
        const v = kv.value ?? {};
        attrs[kv.key] = v.stringValue ?? v.doubleValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue);
      }
      const metricNames = (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((m) => m.name));
      out.push({ attrs, metricNames });
    }
  }
  return out;
}

export async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs: number, run?: Running): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (run?.exited()) throw new Error(`collector exited while waiting for ${what}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${run ? `\ncollector output:\n${run.output()}` : ""}`);
    await sleep(250);
  }
}

export function writeConfig(dir: string, yaml: string): string {
  const p = join(dir, "config.yaml");
  writeFileSync(p, yaml);
  return p;
}

/** freePort returns a loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/**
 * unoptimizedCopy is the override the comparison tests put over a generated push agent: a scrape
 * every 2 s, the tiers' batches flushed after 200 ms, its own metrics off, and the same scrapes,
 * only made deltas (pipeline metrics/unoptimized), written to file.
 */
export function unoptimizedCopy(file: string): string {
  return `
receivers:
  host_metrics:
    collection_interval: 2s
processors:
  batch/critical: {timeout: 200ms}
  batch/standard: {timeout: 200ms}
  batch/sampled: {timeout: 200ms}
exporters:
  file/unoptimized:
    path: ${file}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics/unoptimized:
      receivers: [host_metrics]
      processors: [cumulative_to_delta]
      exporters: [file/unoptimized]
`;
}

/**
 * operatorPorts is the environment that puts a generated collector's health_check, pprof and
 * zpages (src/generate/operations.ts) on free loopback ports, so that several run side by side.
 */
export async function operatorPorts(): Promise<Record<string, string>> {
  return { NRDOT_HEALTH_ENDPOINT: `127.0.0.1:${await freePort()}`, NRDOT_PPROF_ENDPOINT: `127.0.0.1:${await freePort()}`, NRDOT_ZPAGES_ENDPOINT: `127.0.0.1:${await freePort()}` };
}

/**
 * scrapes numbers the scrapes of a stream by their points' times (ms): the scraper stamps each
 * process with its own time, a few ms apart within a scrape and an interval apart between scrapes
 * (the roll-up carries the latest time it summed), so a gap of more than half an interval starts
 * the next scrape. It returns the start time of the scrape a time belongs to.
 */
export function scrapes(points: readonly { t: number }[], intervalMs: number): (t: number) => number {
  const times = [...new Set(points.map((p) => p.t))].sort((a, b) => a - b);
  const starts: number[] = [];
  for (let i = 0; i < times.length; i++) if (i === 0 || times[i] - times[i - 1] > intervalMs / 2) starts.push(times[i]);
  return (t) => {
    let lo = 0;
    for (let hi = starts.length - 1; lo < hi;) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= t) lo = mid; else hi = mid - 1;
    }
    return starts[lo];
  };
}
