// Writes the applied golden vectors (test/vectors/applied/*.json, see README.md): a few
// consecutive batches through the real optimize module in the TS reference host, with the
// decisions and the applied output. Before writing, it checks the output against the contract
// (docs/reference/abi.md, "Decision application"), so a vector is never a recording of a bug.
// The tests compare against the files; they never regenerate them.
//   node --import tsx test/vectors/generate-applied.ts     (after `make wasm`)
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Chain, pointValue, points, type Decision, type KeyValue, type Metric, type MetricsData, type ResourceMetrics } from "../../src/host/index.ts";
import { canonical } from "../host/canonical.ts";
import { builtModule, repoRoot } from "../host/helpers.ts";

const T0 = 1_795_000_000; // unix seconds of the first batch
const INTERVAL = 10;
const ns = (s: number) => (BigInt(Math.round(s * 1000)) * 1_000_000n).toString();
const DELTA = 1;
const CUMULATIVE = 2;

interface Proc {
  host: string;
  pid: number;
  name: string;
  /** unix seconds */
  start: number;
  /** CPU seconds per interval (user, system), by batch */
  cpu: (i: number) => [number, number];
  /** bytes, by batch */
  mem: (i: number) => number;
  /** batches it is scraped in */
  alive: (i: number) => boolean;
  /** cumulative disk bytes (read, write) by batch: a counter nothing converted to deltas */
  diskCumulative?: (i: number) => [number, number];
  /** memory as a double point (an exporter that writes doubles) */
  memDouble?: boolean;
}

function kv(key: string, v: string | number): KeyValue {
  return typeof v === "string" ? { key, value: { stringValue: v } } : { key, value: { intValue: String(v) } };
}

/** resource is one process as the scraper reports it after cumulative_to_delta (CPU time). */
function resource(p: Proc, i: number): ResourceMetrics {
  const t = T0 + i * INTERVAL;
  const [user, system] = p.cpu(i);
  const metrics: Metric[] = [
    { name: "process.cpu.time", unit: "s", description: "Total CPU seconds broken down by different states.", sum: {
      aggregationTemporality: DELTA, isMonotonic: true, dataPoints: [
        { attributes: [kv("state", "user")], startTimeUnixNano: ns(t - INTERVAL), timeUnixNano: ns(t), asDouble: user },
        { attributes: [kv("state", "system")], startTimeUnixNano: ns(t - INTERVAL), timeUnixNano: ns(t), asDouble: system },
      ] } },
    { name: "process.memory.usage", unit: "By", description: "The amount of physical memory in use.", sum: {
      aggregationTemporality: CUMULATIVE, isMonotonic: false, dataPoints: [
        p.memDouble
          ? { startTimeUnixNano: ns(p.start), timeUnixNano: ns(t), asDouble: p.mem(i) }
          : { startTimeUnixNano: ns(p.start), timeUnixNano: ns(t), asInt: String(p.mem(i)) },
      ] } },
    { name: "process.uptime", unit: "s", gauge: { dataPoints: [{ startTimeUnixNano: ns(p.start), timeUnixNano: ns(t), asDouble: t - p.start }] } },
  ];
  if (p.diskCumulative) {
    const [read, write] = p.diskCumulative(i);
    metrics.push({ name: "process.disk.io", unit: "By", sum: { aggregationTemporality: CUMULATIVE, isMonotonic: true, dataPoints: [
      { attributes: [kv("direction", "read")], startTimeUnixNano: ns(p.start), timeUnixNano: ns(t), asInt: String(read) },
      { attributes: [kv("direction", "write")], startTimeUnixNano: ns(p.start), timeUnixNano: ns(t), asInt: String(write) },
    ] } });
  }
  return {
    resource: { attributes: [kv("host.name", p.host), kv("os.type", "linux"), kv("process.pid", p.pid), kv("process.executable.name", p.name),
      kv("process.command_line", `/usr/bin/${p.name} --serve`), kv("process.owner", "svc")] },
    scopeMetrics: [{ scope: { name: "github.com/open-telemetry/opentelemetry-collector-contrib/receiver/hostmetricsreceiver/internal/scraper/processscraper", version: "0.158.0" }, metrics }],
  };
}

const always = () => true;
const flat = (v: number) => () => v;

interface Case {
  file: string;
  description: string;
  config: Record<string, unknown>;
  scoreAttribute: string;
  batches: number;
  procs: Proc[];
}

const CASES: Case[] = [
  {
    file: "optimize-two-hosts.json",
    description: "Four batches from two hosts with the default score_attribute (no score): one other per host with the count as a gauge point, an excluded kernel thread, a process that exits, and a rolled-up process whose cumulative disk counter stays with it.",
    config: { classify: { rules: [{ executable: "db-*", tier: "critical" }] }, max_processes: 1, always_keep_top: 1, exclude: ["kworker/*"] },
    scoreAttribute: "",
    batches: 4,
    procs: [
      { host: "h1", pid: 100, name: "db-main", start: T0 - 5000, cpu: () => [0.5, 0.25], mem: flat(800 << 20), alive: always },
      { host: "h1", pid: 101, name: "web", start: T0 - 4000, cpu: (i) => [6 - i, 1], mem: flat(200 << 20), alive: always },
      { host: "h1", pid: 102, name: "worker-a", start: T0 - 3000, cpu: (i) => [1 + i, 0.5], mem: (i) => (100 << 20) + i * 4096, alive: always },
      { host: "h1", pid: 103, name: "worker-b", start: T0 - 3000, cpu: () => [0.125, 0.125], mem: flat(50 << 20), alive: always },
      { host: "h1", pid: 104, name: "kworker/0:1", start: T0 - 9000, cpu: () => [0.375, 0.0625], mem: flat(0), alive: always },
      { host: "h1", pid: 105, name: "legacy-agent", start: T0 - 2000, cpu: () => [0.0625, 0.0625], mem: flat(30 << 20), alive: always,
        diskCumulative: (i) => [1_000_000 + i * 4096, 2_000_000 + i * 8192] },
      { host: "h1", pid: 106, name: "cron-job", start: T0 + 5, cpu: () => [0.25, 0.125], mem: flat(10 << 20), alive: (i) => i >= 1 && i <= 2 },
      { host: "h2", pid: 200, name: "web", start: T0 - 100, cpu: () => [3, 0.5], mem: flat(300 << 20), alive: always },
      { host: "h2", pid: 201, name: "sleeper", start: T0 - 100, cpu: () => [0.015625, 0.0078125], mem: flat(5 << 20), alive: always },
      { host: "h2", pid: 202, name: "sleeper", start: T0 - 90, cpu: () => [0.03125, 0.0078125], mem: flat(6 << 20), alive: always },
    ],
  },
  {
    file: "optimize-score-attribute.json",
    description: "Three batches with score_attribute set to nrdot.score: kept processes carry their score there (rolled-up ones and other do not), and a double memory point makes other's memory sum a double.",
    config: { classify: {}, max_processes: 2, always_keep_top: 0, hysteresis: 0.5 },
    scoreAttribute: "nrdot.score",
    batches: 3,
    procs: [
      { host: "h1", pid: 10, name: "api", start: T0 - 500, cpu: (i) => [4 - i, 0.5], mem: flat(400 << 20), alive: always },
      { host: "h1", pid: 11, name: "batch", start: T0 - 500, cpu: (i) => [2, 0.5], mem: flat(300 << 20), alive: always },
      { host: "h1", pid: 12, name: "indexer", start: T0 - 500, cpu: (i) => [1 + i, 0.5], mem: flat(250 << 20), alive: always },
      { host: "h1", pid: 13, name: "shell", start: T0 - 500, cpu: () => [0.015625, 0], mem: (i) => 3.5e6 + i, alive: always, memDouble: true },
      { host: "h1", pid: 14, name: "tail", start: T0 - 500, cpu: () => [0.03125, 0], mem: flat(2e6), alive: always },
    ],
  },
];

const attr = (rm: ResourceMetrics, k: string) => rm.resource?.attributes?.find((a) => a.key === k)?.value;
const host = (rm: ResourceMetrics) => attr(rm, "host.name")?.stringValue ?? "";

/** total sums the points of metric by host, over the resources' summable metrics or all of them. */
function totals(rms: readonly ResourceMetrics[], metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const rm of rms) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
    if (m.name === metric) for (const dp of points(m)) out.set(host(rm), (out.get(host(rm)) ?? 0) + pointValue(dp));
  }
  return out;
}

/** check holds one applied batch to the contract before it is written. */
function check(c: Case, input: MetricsData, decisions: Decision[], output: ResourceMetrics[]): void {
  for (const metric of ["process.cpu.time", "process.memory.usage", "process.disk.io"]) {
    assert.deepEqual(totals(output, metric), totals(input.resourceMetrics, metric), `${c.file}: ${metric} totals per host are exact`);
  }
  const others = output.filter((rm) => attr(rm, "nrdot.rollup")?.boolValue === true);
  const rolled = new Map<string, number>();
  input.resourceMetrics.forEach((rm, i) => decisions[i].action === "rollup" && rolled.set(host(rm), (rolled.get(host(rm)) ?? 0) + 1));
  assert.deepEqual(others.map(host), [...rolled.keys()], "one other per host with rolled-up rows, in order of appearance");
  for (const o of others) {
    assert.deepEqual(o.resource!.attributes!.map((a) => a.key), ["host.name", "os.type", "process.executable.name", "nrdot.rollup", "nrdot.tier"]);
    const count = o.scopeMetrics[0].metrics.at(-1)!;
    assert.equal(count.name, "nrdot.rollup.count");
    assert.equal(count.gauge!.dataPoints[0].asInt, String(rolled.get(host(o))));
    assert.ok(!o.scopeMetrics[0].metrics.some((m) => m.sum?.isMonotonic && m.sum.aggregationTemporality === CUMULATIVE), "no cumulative counter summed");
  }
  for (const rm of output) {
    assert.equal(attr(rm, "nrdot.rollup.count"), undefined, "the count is no attribute");
    assert.equal(attr(rm, "nrdot.score") !== undefined, c.scoreAttribute === "nrdot.score" && attr(rm, "nrdot.rollup") === undefined && attr(rm, "process.pid") !== undefined &&
      decisions[input.resourceMetrics.findIndex((r) => attr(r, "process.pid")?.intValue === attr(rm, "process.pid")?.intValue)]?.action === "keep", "the score only where configured, on kept processes");
  }
}

async function main(): Promise<void> {
  const dir = join(repoRoot, "test/vectors/applied");
  mkdirSync(dir, { recursive: true });
  for (const c of CASES) {
    const chain = await Chain.load([{ module: builtModule("optimize"), config: c.config, scoreAttribute: c.scoreAttribute }]);
    const batches = [];
    for (let i = 0; i < c.batches; i++) {
      const input: MetricsData = { resourceMetrics: c.procs.filter((p) => p.alive(i)).map((p) => resource(p, i)) };
      const frozen = structuredClone(input);
      const { output, stages } = chain.run(input);
      const decisions = stages[0].decisions;
      check(c, frozen, decisions, output.resourceMetrics);
      batches.push({
        input: frozen,
        decisions: decisions.map((d) => ({ action: d.action, tier: d.tier, score: Number.isNaN(d.score) ? null : d.score })),
        output: canonical(output.resourceMetrics),
      });
    }
    const vector = { description: c.description, module: "optimize", config: c.config, score_attribute: c.scoreAttribute, batches };
    writeFileSync(join(dir, c.file), JSON.stringify(vector, null, 1) + "\n");
    console.log(`wrote ${join("test/vectors/applied", c.file)}`);
  }
}

await main();
