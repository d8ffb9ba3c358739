// End to end, what Prometheus sees: the generated prometheus agent (balanced profile, 5 s
// interval) on a busy host (300 idle processes, 3 CPU burners), and an unoptimized copy of the
// same scrapes (cumulative, straight to the exporter, marked test.stream=unoptimized), both served
// by the agent's prometheus exporter and scraped by one real Prometheus. The two streams come from
// the same scrape and are sampled by the same Prometheus scrape, so every difference is the
// optimizer's: per-host CPU rate within 10%, memory within 5%, at most 25% of the series, every
// burner's CPU rate present. Prints the measured table for docs/backends.md.
// (Two exporters would be scraped at different moments, a collection apart at times, and rate()
// over a window would then count a different number of intervals in each; sharing the exporter
// also gives the unoptimized stream the same series expiry, so processes that exit are dropped
// from both alike.)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { run as cli } from "../cli/run.ts";
import type { Running } from "../../src/collector.ts";
import { freePort, operatorPorts, requireBuilt, startCollector, stopCollector, wasmDir } from "./collector.ts";
import { requirePrometheus, startPrometheus, type Prometheus } from "./prometheus.ts";
import { startWorkload, type Workload } from "./workload.ts";

const INTERVAL = 5; // s, the agent's collection interval
const SCRAPE = "2s"; // Prometheus's scrape interval
const WINDOW = 60; // s, the rate window: 12 intervals
const OPT = 'test_stream=""';
const RAW = 'test_stream="unoptimized"';

interface Row { what: string; query: string; raw: number; opt: number }

describe("prometheus backend: what Prometheus sees", () => {
  let dir: string;
  before(() => {
    requireBuilt();
    requirePrometheus();
    dir = mkdtempSync(join(tmpdir(), "nrdot-prom-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("has the unoptimized totals, a quarter of the series at most, and every burner", { timeout: 600_000 }, async () => {
    const profile = join(dir, "profile.yaml");
    writeFileSync(profile, `extends: balanced\ncollection_interval: ${INTERVAL}s\n`);
    const gen = await cli(["generate", "--profile", profile, "--backend", "prometheus", "-o", join(dir, "gen")]);
    assert.equal(gen.code, 0, gen.err);
    // The unoptimized stream: the same host_metrics, cumulative, into the same exporter.
    const overrides = join(dir, "overrides.yaml");
    writeFileSync(overrides, `
processors:
  transform/unoptimized:
    metric_statements:
      - context: resource
        statements:
          - set(attributes["test.stream"], "unoptimized")
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics/unoptimized:
      receivers: [host_metrics]
      processors: [transform/unoptimized]
      exporters: [prometheus]
`);
    const exporterPort = await freePort();
    const env = {
      NRDOT_DATA_DIR: join(dir, "data"), NRDOT_WASM_DIR: wasmDir, NRDOT_PROMETHEUS_ENDPOINT: `127.0.0.1:${exporterPort}`,
      ...(await operatorPorts()),
    };
    // The workload runs before the agent starts, so both streams see its processes from the first scrape on.
    const workload: Workload = startWorkload(dir, 300, 3);
    let prom: Prometheus | undefined;
    let agent: Running | undefined;
    try {
      agent = startCollector([join(dir, "gen", "agent.yaml"), overrides], env);
      const a = agent;
      prom = await startPrometheus(dir, { nrdot: [`127.0.0.1:${exporterPort}`] }, SCRAPE);
      const p = prom;
      const now = () => Date.now() / 1000;
      // Both streams have counters in Prometheus (the optimized one from its second interval on).
      const deadline = Date.now() + 180_000;
      for (;;) {
        a.assertAlive();
        const got = await p.query(`count by (test_stream) (process_cpu_time_seconds_total)`, now());
        if (got.length === 2) break;
        if (Date.now() > deadline) throw new Error(`no process counters of both streams after 180 s: ${JSON.stringify(got)}\n${a.output().slice(-3000)}`);
        await sleep(1000);
      }
      // A whole rate window of data, plus the workload's processes in both streams.
      await sleep((WINDOW + 2 * INTERVAL) * 1000);
      a.assertAlive();
      const t = now();
      const one = async (q: string) => {
        const r = await p.query(q, t);
        assert.equal(r.length, 1, `${q}: one series expected, got ${JSON.stringify(r)}`);
        return r[0].value;
      };
      const rows: Row[] = [];
      const row = async (what: string, q: (sel: string) => string) => {
        const r = { what, query: q("…"), raw: await one(q(RAW)), opt: await one(q(OPT)) };
        rows.push(r);
        return r;
      };
      const cpu = await row("CPU cores used", (s) => `sum by (instance) (rate(process_cpu_time_seconds_total{${s}}[${WINDOW}s]))`);
      const mem = await row("memory in use (bytes)", (s) => `sum by (instance) (process_memory_usage_bytes{${s}})`);
      const memAvg = await row(`memory, average over ${WINDOW}s`, (s) => `avg_over_time((sum by (instance) (process_memory_usage_bytes{${s}}))[${WINDOW}s:${SCRAPE}])`);
      const series = await row("processes (memory series)", (s) => `count(process_memory_usage_bytes{${s}})`);
      const allSeries = await row("process_* series", (s) => `count({__name__=~"process_.+", ${s}})`);
      // The largest gap of the memory totals over the window, scrape by scrape.
      const gap = await p.range(`abs(sum(process_memory_usage_bytes{${OPT}}) / sum(process_memory_usage_bytes{${RAW}}) - 1)`, t - WINDOW, t, 2);
      const worstMem = Math.max(...(gap[0]?.values ?? []).map(([, v]) => v));
      const burners = new Map<string, { raw?: number; opt?: number }>();
      for (const [stream, sel] of [["raw", RAW], ["opt", OPT]] as const) {
        for (const r of await p.query(`sum by (process_executable_name) (rate(process_cpu_time_seconds_total{process_executable_name=~"nrdot-burn-.*", ${sel}}[${WINDOW}s]))`, t)) {
          const b = burners.get(r.metric.process_executable_name) ?? {};
          b[stream] = r.value;
          burners.set(r.metric.process_executable_name, b);
        }
      }
      const rolledUp = await p.query(`sum(nrdot_rollup_count)`, t);
      const names = (await p.query(`count by (__name__) ({job="nrdot", __name__!~"up|scrape_.+", ${OPT}})`, t)).map((r) => r.metric.__name__).sort();

      const ratio = (r: Row) => (r.raw === 0 ? NaN : r.opt / r.raw);
      const table = [
        `| | PromQL (… = the stream's selector) | unoptimized | optimized | optimized / unoptimized |`,
        `|---|---|---:|---:|---:|`,
        ...rows.map((r) => `| ${r.what} | \`${r.query}\` | ${fmt(r.raw)} | ${fmt(r.opt)} | ${ratio(r).toFixed(3)} |`),
        ...[...burners].sort().map(([n, b]) => `| ${n} CPU cores | \`sum by (process_executable_name) (rate(process_cpu_time_seconds_total{process_executable_name="${n}",…}[${WINDOW}s]))\` | ${fmt(b.raw ?? NaN)} | ${fmt(b.opt ?? NaN)} | ${((b.opt ?? NaN) / (b.raw ?? NaN)).toFixed(3)} |`),
      ];
      process.stdout.write(`\nWhat Prometheus sees (interval ${INTERVAL}s, scrape ${SCRAPE}, 300 idle + 3 burners; ` +
        `largest memory gap over the window ${(100 * worstMem).toFixed(2)}%; processes in other: ${rolledUp[0]?.value ?? "n/a"}):\n${table.join("\n")}\n` +
        `metrics of the optimized stream: ${names.join(", ")}\n\n`);

      assert.ok(Math.abs(ratio(cpu) - 1) <= 0.10, `CPU rate ${cpu.opt} vs ${cpu.raw} (unoptimized): more than 10% apart`);
      assert.ok(Math.abs(ratio(mem) - 1) <= 0.05, `memory ${mem.opt} vs ${mem.raw} (unoptimized): more than 5% apart`);
      assert.ok(Math.abs(ratio(memAvg) - 1) <= 0.05, `memory over the window ${memAvg.opt} vs ${memAvg.raw}: more than 5% apart`);
      assert.ok(series.raw >= 300, `the unoptimized stream has the idle processes: ${series.raw}`);
      assert.ok(series.opt <= 0.25 * series.raw, `optimized process series ${series.opt} vs ${series.raw}: more than 25%`);
      assert.ok(allSeries.opt <= 0.25 * allSeries.raw, `optimized process_* series ${allSeries.opt} vs ${allSeries.raw}: more than 25%`);
      for (const n of workload.burnerNames) {
        const b = burners.get(n);
        assert.ok(b?.opt !== undefined && b.opt > 0, `${n}: CPU rate in the optimized stream: ${b?.opt} (unoptimized ${b?.raw})`);
      }
    } finally {
      workload.stop();
      await prom?.stop();
      if (agent) await stopCollector(agent);
    }
  });
});

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e6) return `${(v / 2 ** 20).toFixed(1)} MiB`;
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}
