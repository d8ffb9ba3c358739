// Host-level benchmark (make bench; figures in docs/benchmarks.md): the built collector scrapes
// this host's real processes with the default profile's agent config, with and without the
// optimizer, while the host runs 1k or 10k extra processes spawned here. This is the agent as it
// is deployed (hostmetrics scrape -> memory_limiter -> cumulative_to_delta -> wasm/optimize ->
// routing -> batch -> file), so its RSS is the agent's, not that of a receiver decoding
// 10k-process OTLP requests.
//   scrape_only: the scrape alone, to the debug exporter (the floor of any pipeline)
//   passthrough: the same config without wasm/optimize (every process is exported)
//   optimizer:   configs/balanced/agent.yaml as generated
// Both run with scripts/run.sh's environment (GOMEMLIMIT=360MiB; --gomemlimit changes it for both). Reported per pipeline: collector
// CPU per scrape (from /proc), peak RSS (VmHWM), data points exported per scrape.
//   node --import tsx scripts/bench-host.ts [--scrapes N] [--sizes 1000,10000] [--gomemlimit 360MiB]
//     [--pipelines scrape_only,passthrough,optimizer]
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { cpuMs, peakRssMiB } from "./procstat.ts";
import { parse, stringify } from "yaml";
import { requireCollector, startCollector } from "../src/collector.ts";
import { countPoints, parseMetricsJsonl, resourceAttr } from "../src/host/index.ts";

const root = resolve(import.meta.dirname, "..");
const collector = join(root, "bin/nrdot-collector");
const outDir = join(root, "build/bench/host");
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const scrapes = Number(arg("--scrapes")) || 6;
const sizes = (arg("--sizes") ?? "1000,10000").split(",").map(Number);
const intervalSeconds = 5;
// GOMEMLIMIT for both pipelines: scripts/run.sh's by default.
const goMemLimit = arg("--gomemlimit") ?? "360MiB";
const pipelineNames = (arg("--pipelines") ?? "scrape_only,passthrough,optimizer").split(",");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function processCount(): number {
  return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).length;
}

/** spawnSleepers starts n idle processes in their own process group and waits until they run. */
async function spawnSleepers(n: number): Promise<ChildProcess> {
  const before = processCount();
  const group = spawn("bash", ["-c", `for ((i=0;i<${n};i++)); do sleep 3600 & done; wait`], { detached: true, stdio: "ignore" });
  for (let i = 0; processCount() < before + n; i++) {
    if (i > 600) throw new Error(`only ${processCount() - before} of ${n} processes started`);
    await sleep(100);
  }
  return group;
}

function killGroup(group: ChildProcess): void {
  try { process.kill(-group.pid!, "SIGKILL"); } catch { /* already gone */ }
}

interface Result { pipeline: string; processes: number; cpuMsPerScrape: number; rssMiB: number; pointsPerScrape: number }

/**
 * pointsPerScrape counts the data points the file exporter wrote, per scrape of the host. A scrape
 * is one appearance of the most frequent resource (a long-lived pid, or the host's `other`).
 */
function pointsPerScrape(file: string): number {
  const batches = parseMetricsJsonl(readFileSync(file, "utf8"), file);
  const seen = new Map<string, number>();
  for (const b of batches) for (const rm of b.resourceMetrics) {
    const key = resourceAttr(rm, "process.pid") ?? resourceAttr(rm, "process.executable.name") ?? "";
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return batches.reduce((n, b) => n + countPoints(b), 0) / Math.max(1, ...seen.values());
}

async function run(name: string, cfg: Record<string, unknown>, processes: number): Promise<Result> {
  const dir = join(outDir, `${name}-${processes}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "config.yaml");
  writeFileSync(file, stringify(cfg));
  const env = { ...process.env, NRDOT_DATA_DIR: dir, NRDOT_WASM_DIR: join(root, "build/wasm"), GOMEMLIMIT: goMemLimit };
  const run = startCollector(collector, file, env);
  const out = join(dir, "metrics.jsonl");
  try {
    // Measuring starts once the first scrape is exported: to the file, or logged by the debug exporter.
    const exported = () => (existsSync(out) && readFileSync(out).length > 0) || run.output().includes("resource metrics");
    for (let i = 0; !exported(); i++) {
      if (run.exited() || i > 600) throw new Error(`${name}: no output from the collector: ${run.output()}`);
      await sleep(100);
    }
    const t0 = cpuMs(run.pid);
    await sleep(scrapes * intervalSeconds * 1000);
    const used = cpuMs(run.pid) - t0;
    return { pipeline: name, processes, cpuMsPerScrape: used / scrapes, rssMiB: peakRssMiB(run.pid), pointsPerScrape: 0 };
  } finally {
    await run.stop();
  }
}

async function main(): Promise<void> {
  requireCollector(collector); // before spawning thousands of processes
  mkdirSync(outDir, { recursive: true });
  const agent = parse(readFileSync(join(root, "configs/balanced/agent.yaml"), "utf8"));
  agent.receivers.host_metrics.collection_interval = `${intervalSeconds}s`;
  for (const p of Object.keys(agent.processors).filter((id) => id.startsWith("batch/"))) agent.processors[p].timeout = "1s";
  const passthrough = structuredClone(agent);
  const ingest = passthrough.service.pipelines["metrics/ingest"];
  ingest.processors = ingest.processors.filter((id: string) => !id.startsWith("wasm/"));
  // The floor: the same scrape and nothing else (no processors, the debug exporter's one log line
  // per batch). No pipeline that scrapes these processes with the upstream scraper uses less.
  const scrapeOnly = {
    receivers: { host_metrics: agent.receivers.host_metrics },
    exporters: { debug: { verbosity: "basic" } },
    service: { telemetry: { metrics: { level: "none" } }, pipelines: { metrics: { receivers: ["host_metrics"], exporters: ["debug"] } } },
  };
  const results: Result[] = [];
  for (const n of sizes) {
    const group = await spawnSleepers(n);
    try {
      const pipelines: [string, Record<string, unknown>][] = [["scrape_only", scrapeOnly], ["passthrough", passthrough], ["optimizer", agent]];
      for (const [name, cfg] of pipelines.filter(([p]) => pipelineNames.includes(p))) {
        const r = await run(name, cfg, processCount());
        const file = join(outDir, `${name}-${r.processes}`, "metrics.jsonl");
        r.pointsPerScrape = existsSync(file) ? pointsPerScrape(file) : NaN;
        results.push(r);
        console.error(`${name} @ ${r.processes} processes: cpu ${r.cpuMsPerScrape.toFixed(0)} ms/scrape, RSS ${r.rssMiB.toFixed(0)} MiB, ${r.pointsPerScrape.toFixed(0)} points/scrape`);
      }
    } finally {
      killGroup(group);
    }
    await sleep(2000);
  }
  writeFileSync(join(outDir, "host.json"), JSON.stringify(results, null, 2));
  console.log("| processes on the host | pipeline | CPU ms/scrape | × passthrough | peak RSS MiB | points exported/scrape |");
  console.log("|---|---|---|---|---|---|");
  for (const r of results) {
    const base = results.find((b) => b.pipeline === "passthrough" && Math.abs(b.processes - r.processes) < 50) ?? r;
    console.log(`| ${r.processes} | ${r.pipeline} | ${r.cpuMsPerScrape.toFixed(0)} | ${(r.cpuMsPerScrape / base.cpuMsPerScrape).toFixed(2)}× | ${r.rssMiB.toFixed(0)} | ${Number.isNaN(r.pointsPerScrape) ? "–" : r.pointsPerScrape.toFixed(0)} |`);
  }
}

await main();
