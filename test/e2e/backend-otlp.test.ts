// End to end, what an OTLP backend (New Relic's shape: delta temporality) sees: the generated
// otlp agent (balanced profile) exports over loopback to a sink (a second collector: otlp receiver
// -> file exporter), while the same scrapes go unoptimized, through cumulative_to_delta, to a
// file of the agent. On a busy host (300 idle processes, 3 CPU burners), per interval:
//   - the sum of process.cpu.time deltas and of process.memory.usage over all resources (`other`
//     included) equals the unoptimized sums, and so do the sums of the counters the profile turns
//     on besides (context switches, paging faults, disk operations: cumulative_to_delta must have
//     made them deltas, or the optimizer could not roll their processes up);
//   - each resource carries the same attributes in every interval (a backend keys its time
//     series by them: an attribute that changes every scrape makes a new series every scrape);
//   - far fewer resources arrive.
// The sums are compared up to float rounding only: both streams come from the same scrape and the
// same cumulative_to_delta, and the optimizer adds the rolled-up values in another order (ints
// stay exact; doubles may differ in the last bits), so the tolerance is 1e-9 relative.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run as cli } from "../cli/run.ts";
import type { Running } from "../../src/collector.ts";
import { pointValue, resourceAttr } from "../../src/host/index.ts";
import { freePort, operatorPorts, readBatches, requireBuilt, scrapes, startCollector, stopCollector, unoptimizedCopy, waitFor, wasmDir } from "./collector.ts";
import { startWorkload, type Workload } from "./workload.ts";

interface Point { t: number; metric: string; value: number; id: string; attrs: Map<string, string>; exe: string | undefined }
interface Interval { cpu: number; mem: number; resources: number; other: Map<string, number> }

/** Counters the test's profile turns on besides the default ones. */
const EXTRA = ["process.context_switches", "process.paging.faults", "process.disk.operations"];
const METRICS = new Set(["process.cpu.time", "process.memory.usage", "process.disk.io", ...EXTRA]);

/** read returns the points of METRICS in an OTLP/JSON lines file. */
function read(file: string): Point[] {
  const out: Point[] = [];
  for (const b of readBatches(file)) {
    for (const rm of b.resourceMetrics) {
      const attrs = new Map<string, string>((rm.resource?.attributes ?? []).map((a) => [a.key, JSON.stringify(a.value)]));
      // A process is known by the scraper's attributes (a pid the kernel reuses is another
      // process); what the optimizer adds must then be the same in every scrape.
      const id = [...attrs].filter(([k]) => k.startsWith("process.")).sort().map(([k, v]) => `${k}=${v}`).join(",");
      const exe = resourceAttr(rm, "process.executable.name");
      for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
        if (!METRICS.has(m.name)) continue;
        for (const dp of m.sum?.dataPoints ?? []) {
          out.push({ t: Number(BigInt(dp.timeUnixNano ?? 0) / 1_000_000n), metric: m.name, value: pointValue(dp), id, attrs, exe });
        }
      }
    }
  }
  return out;
}

function totals(points: Point[], scrapeOf: (t: number) => number): Map<number, Interval> {
  const out = new Map<number, Interval>();
  for (const p of points) {
    const k = scrapeOf(p.t);
    const e = out.get(k) ?? { cpu: 0, mem: 0, resources: 0, other: new Map() };
    if (p.metric === "process.cpu.time") e.cpu += p.value;
    else if (p.metric === "process.memory.usage") { e.mem += p.value; e.resources++; }
    else e.other.set(p.metric, (e.other.get(p.metric) ?? 0) + p.value);
    out.set(k, e);
  }
  return out;
}

describe("otlp backend: what an OTLP backend sees", () => {
  let dir: string;
  before(() => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), "nrdot-otlp-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("per interval, the unoptimized CPU and memory totals, in resources whose attributes do not change", { timeout: 300_000 }, async () => {
    const profile = join(dir, "profile.yaml");
    writeFileSync(profile, `extends: balanced\nmetrics:\n${EXTRA.map((m) => `  ${m}: true\n`).join("")}`);
    const gen = await cli(["generate", "--profile", profile, "--backend", "otlp", "-o", join(dir, "gen")]);
    assert.equal(gen.code, 0, gen.err);
    const quiet = "service:\n  telemetry:\n    metrics:\n      level: none\n";
    const overrides = join(dir, "overrides.yaml");
    writeFileSync(overrides, unoptimizedCopy(join(dir, "unoptimized.jsonl")));
    const port = await freePort();
    const sinkConfig = join(dir, "sink.yaml");
    writeFileSync(sinkConfig, `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
exporters:
  file:
    path: ${join(dir, "sink.jsonl")}
` + quiet + `  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [file]
`);
    // The workload runs before the agent starts. A process started while the collector starts
    // may have started after one pipeline's cumulative_to_delta and before the other's (the
    // optimizer's pipeline starts later: its module is compiled first), and its first point is
    // then a delta in one stream only; that is also why the first scrape is not compared.
    const workload: Workload = startWorkload(dir, 300, 3);
    let sink: Running | undefined;
    let agent: Running | undefined;
    try {
      sink = startCollector(sinkConfig);
      agent = startCollector([join(dir, "gen", "agent.yaml"), overrides], {
        NRDOT_DATA_DIR: join(dir, "agent"), NRDOT_WASM_DIR: wasmDir, NRDOT_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, ...(await operatorPorts()),
      });
      // Compared scrapes are followed by two more in the sink, so their batches have all landed.
      const INTERVAL_MS = 2000;
      let raw: Point[] = [];
      let opt: Point[] = [];
      let byScrape: { raw: Map<number, Interval>; opt: Map<number, Interval> } | undefined;
      let lastRead = 0;
      const times = await waitFor("4 comparable scrapes after the workload started", () => {
        if (Date.now() - lastRead < INTERVAL_MS) return undefined; // the files are large: read once a scrape
        lastRead = Date.now();
        raw = read(join(dir, "unoptimized.jsonl"));
        opt = read(join(dir, "sink.jsonl"));
        const scrapeOf = scrapes([...raw, ...opt], INTERVAL_MS);
        byScrape = { raw: totals(raw, scrapeOf), opt: totals(opt, scrapeOf) };
        const later = [...byScrape.opt.keys()];
        const first = Math.min(...byScrape.raw.keys());
        const done = [...byScrape.raw].filter(([t, r]) => t > first && byScrape!.opt.has(t) && r.cpu > 0 && r.resources >= 300 && later.filter((u) => u > t).length >= 2).map(([t]) => t);
        return done.length >= 4 ? done.sort((a, b) => a - b).slice(0, 4) : undefined;
      }, 240_000, agent);
      sink.assertAlive();
      const rows = [`| scrape | CPU s (unoptimized) | CPU s (optimized) | memory MiB (unoptimized) | memory MiB (optimized) | resources |`, `|---|---:|---:|---:|---:|---:|`];
      for (const t of times) {
        const r = byScrape!.raw.get(t)!;
        const o = byScrape!.opt.get(t)!;
        rows.push(`| ${new Date(t).toISOString()} | ${r.cpu.toFixed(3)} | ${o.cpu.toFixed(3)} | ${(r.mem / 2 ** 20).toFixed(1)} | ${(o.mem / 2 ** 20).toFixed(1)} | ${r.resources} -> ${o.resources} |`);
      }
      process.stdout.write(`\nWhat an OTLP backend receives per interval (2 s interval, 300 idle + 3 burners):\n${rows.join("\n")}\n\n`);
      for (const t of times) {
        const r = byScrape!.raw.get(t)!;
        const o = byScrape!.opt.get(t)!;
        assert.ok(Math.abs(o.cpu - r.cpu) <= 1e-9 * r.cpu + 1e-9, `CPU at ${t}: ${o.cpu} vs ${r.cpu} unoptimized`);
        assert.ok(Math.abs(o.mem - r.mem) <= 1e-9 * r.mem, `memory at ${t}: ${o.mem} vs ${r.mem} unoptimized`);
        assert.ok(o.resources <= 0.25 * r.resources, `resources at ${t}: ${o.resources} vs ${r.resources}`);
        for (const m of ["process.disk.io", ...EXTRA]) {
          const [rv, ov] = [r.other.get(m), o.other.get(m)];
          assert.ok(rv !== undefined && ov !== undefined && Math.abs(ov - rv) <= 1e-9 * rv, `${m} at ${t}: ${ov} vs ${rv} unoptimized`);
        }
      }
      // The same resource has the same attributes in every scrape it is sent in.
      const first = new Map<string, Point>();
      const changing = new Map<string, Set<string>>(); // attribute -> resources where it changes
      for (const p of opt) {
        const f = first.get(p.id);
        if (!f) { first.set(p.id, p); continue; }
        for (const k of new Set([...f.attrs.keys(), ...p.attrs.keys()].filter((k) => !k.startsWith("process.")))) {
          if (f.attrs.get(k) !== p.attrs.get(k)) changing.set(k, (changing.get(k) ?? new Set()).add(p.id));
        }
      }
      assert.deepEqual([...changing].map(([k, ids]) => `${k} (${ids.size} resources, e.g. ${[...ids][0].slice(0, 200)})`), [],
        "resource attributes that change from scrape to scrape: each value makes a new time series in the backend");
      const burners = new Set(opt.filter((p) => p.metric === "process.cpu.time" && p.value > 0).map((p) => p.exe));
      for (const n of workload.burnerNames) assert.ok(burners.has(n), `${n} is kept with CPU time in the optimized stream`);
    } finally {
      workload.stop();
      if (agent) await stopCollector(agent);
      if (sink) await stopCollector(sink);
    }
  });
});
