// Collector-level benchmark of the optimizer (make bench; figures in docs/benchmarks.md).
// The real built collector runs three pipelines in turn on the same recorded batches, each
// receiving OTLP/HTTP protobuf on loopback (as agents send) and exporting OTLP/HTTP to a local sink:
//   passthrough: no processors (the baseline)
//   optimizer:   the default profile's wasm processors (wasm/optimize with classify embedded)
//   ottl:        transform (tier by regex on the name) -> filter (drop what the optimizer dropped,
//                by a regex over the pids it kept): the same keep/drop decisions in OTTL, without
//                the roll-up OTTL cannot do
// Exports are synchronous (no sending queue), so a request's duration is the collector's whole
// handling of the batch. Reported: collector CPU per batch (from /proc), p50/p99 request latency,
// peak RSS (VmHWM), at 1k and 10k processes per batch.
//   node --import tsx scripts/bench-collector.ts [--rounds N] [--gomemlimit 100MiB]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { startCollector } from "../src/collector.ts";
import { Chain, encodeMetricsProto, resourceAttr, type MetricsData } from "../src/host/index.ts";
import { stepsFromConfig } from "../src/simulate/stages.ts";
import { freePort } from "./net.ts";
import { generateHost } from "./synthetic-host.ts";
import { CATALOG_EXECUTABLES } from "./bench-catalog.ts";
import { cpuMs, peakRssMiB } from "./procstat.ts";

const root = resolve(import.meta.dirname, "..");
const collector = join(root, "bin/nrdot-collector");
const outDir = join(root, "build/bench");
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 3;
// Go's soft memory limit for every pipeline alike (the deployment's GOMEMLIMIT); none by default.
const goMemLimit = process.argv.includes("--gomemlimit") ? process.argv[process.argv.indexOf("--gomemlimit") + 1] : undefined;

function post(port: number, body: Uint8Array): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const req = request({ host: "127.0.0.1", port, path: "/v1/metrics", method: "POST", headers: { "content-type": "application/x-protobuf" } }, (r) => {
      r.resume();
      r.on("end", () => (r.statusCode === 200 ? res(Number(process.hrtime.bigint() - t0) / 1e6) : rej(new Error(`HTTP ${r.statusCode}`))));
    });
    req.on("error", rej);
    req.end(body);
  });
}

function startSink(): Promise<{ server: Server; port: number }> {
  return new Promise((res) => {
    const server = createServer((req, r) => {
      req.resume();
      req.on("end", () => {
        r.writeHead(200, { "content-type": "application/x-protobuf" });
        r.end();
      });
    }).listen(0, "127.0.0.1", () => res({ server, port: (server.address() as { port: number }).port }));
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function config(port: number, sink: number, processors: Record<string, unknown>, ids: string[]): string {
  return JSON.stringify({
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}`, max_request_body_size: 1 << 30 } } } },
    processors,
    exporters: { otlp_http: { endpoint: `http://127.0.0.1:${sink}`, compression: "none", sending_queue: { enabled: false }, retry_on_failure: { enabled: false } } },
    service: { telemetry: { metrics: { level: "none" }, logs: { level: "warn" } }, pipelines: { metrics: { receivers: ["otlp"], processors: ids, exporters: ["otlp_http"] } } },
  });
}

interface Result { pipeline: string; processes: number; cpuMsPerBatch: number; p50: number; p99: number; rssMiB: number }

async function measure(name: string, cfg: string, port: number, bodies: Uint8Array[], processes: number): Promise<Result> {
  const file = join(outDir, `${name}-${processes}.json`);
  writeFileSync(file, cfg);
  const run = startCollector(collector, file, goMemLimit ? { ...process.env, GOMEMLIMIT: goMemLimit } : process.env);
  try {
    for (let i = 0; ; i++) { // wait until the receiver answers
      try { await post(port, bodies[0]); break; } catch (e) {
        if (run.exited() || i > 200) throw new Error(`${name}: collector did not start: ${run.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (const b of bodies.slice(1, 3)) await post(port, b); // warm-up
    const t0 = cpuMs(run.pid);
    const lat: number[] = [];
    for (let r = 0; r < rounds; r++) for (const b of bodies) lat.push(await post(port, b));
    const used = cpuMs(run.pid) - t0;
    return { pipeline: name, processes, cpuMsPerBatch: used / lat.length, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), rssMiB: peakRssMiB(run.pid) };
  } finally {
    await run.stop();
  }
}

/** keptPids runs the optimizer in the TS host to learn which pids it keeps, for the OTTL filter. */
async function keptPids(batches: MetricsData[], stages: { module: string; config: Record<string, unknown> }[]): Promise<string[]> {
  const chain = await Chain.load(stages);
  const kept = new Set<string>();
  for (const b of batches) for (const rm of chain.run(b).output.resourceMetrics) {
    const pid = resourceAttr(rm, "process.pid");
    if (pid !== undefined) kept.add(pid);
  }
  return [...kept];
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const agentFile = join(root, "configs/balanced/agent.yaml");
  const profile = parse(readFileSync(agentFile, "utf8"));
  const wasmSteps = stepsFromConfig(profile, { NRDOT_WASM_DIR: join(root, "build/wasm") }, agentFile)
    .flatMap((s) => (s.kind === "wasm" ? [s] : []));
  const { server, port: sink } = await startSink();
  const results: Result[] = [];
  for (const scale of [1, 10]) {
    const batches = generateHost({ intervals: 10, scale });
    const processes = Math.round(batches.reduce((n, b) => n + b.resourceMetrics.length, 0) / batches.length);
    const bodies = batches.map((b) => encodeMetricsProto(b));
    const pids = await keptPids(batches, wasmSteps);
    const tierRegex = (tier: string) => `^(${CATALOG_EXECUTABLES[tier].join("|")})$`;
    const pipelines: [string, Record<string, unknown>, string[]][] = [
      ["passthrough", {}, []],
      ["optimizer", Object.fromEntries(wasmSteps.map((s) => [s.id, { module: s.module, config: s.config }])), wasmSteps.map((s) => s.id)],
      ["ottl", {
        transform: { error_mode: "ignore", metric_statements: [{ context: "resource", statements: [
          `set(attributes["nrdot.tier"], "standard")`,
          ...["critical", "important", "sampled"].map((t) => `set(attributes["nrdot.tier"], "${t}") where IsMatch(attributes["process.executable.name"], "${tierRegex(t)}")`),
        ] }] },
        filter: { error_mode: "ignore", metrics: { resource: [`not IsMatch(attributes["process.pid"], "^(${pids.join("|")})$")`] } },
      }, ["transform", "filter"]],
    ];
    for (const [name, procs, ids] of pipelines) {
      const port = await freePort();
      const r = await measure(name, config(port, sink, procs, ids), port, bodies, processes);
      results.push(r);
      console.error(`${name} @ ${processes}: cpu ${r.cpuMsPerBatch.toFixed(1)} ms/batch, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, RSS ${r.rssMiB.toFixed(0)} MiB`);
    }
  }
  server.close();
  writeFileSync(join(outDir, "collector.json"), JSON.stringify(results, null, 2));
  const base = (p: number) => results.find((r) => r.pipeline === "passthrough" && r.processes === p)!;
  console.log("| processes/batch | pipeline | CPU ms/batch | × passthrough | p50 ms | p99 ms | added p50 / p99 ms | peak RSS MiB |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    const b = base(r.processes);
    console.log(`| ${r.processes} | ${r.pipeline} | ${r.cpuMsPerBatch.toFixed(1)} | ${(r.cpuMsPerBatch / b.cpuMsPerBatch).toFixed(2)}× | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.p50 - b.p50).toFixed(1)} / ${(r.p99 - b.p99).toFixed(1)} | ${r.rssMiB.toFixed(0)} |`);
  }
}

await main();
