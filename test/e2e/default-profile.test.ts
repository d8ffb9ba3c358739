// End to end: the default profile (configs/balanced/agent.yaml) on this host's real processes, next to an
// unoptimized copy of the same scrapes. Per interval, the optimized stream's CPU and memory
// totals equal the unoptimized ones; every resource carries a tier; state reaches the state_directory.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pointValue, resourceAttr } from "../../src/host/index.ts";
import { operatorPorts, readBatches, requireBuilt, repoRoot, scrapes, startCollector, stopCollector, unoptimizedCopy, waitFor, wasmDir } from "./collector.ts";
import { startWorkload } from "./workload.ts";

interface Totals { cpu: number; mem: number; resources: number; untiered: number }

/**
 * seriesAttributes reads what the default profile must not put in resource attributes (values
 * that change every scrape make a new series every scrape): nrdot.score and nrdot.rollup.count.
 * It returns how many resources carry either, and the count points of the roll-ups.
 */
function seriesAttributes(file: string): { perScrape: number; counts: unknown[]; others: number } {
  const out = { perScrape: 0, counts: [] as unknown[], others: 0 };
  for (const b of readBatches(file)) {
    for (const rm of b.resourceMetrics) {
      const attrs = rm.resource?.attributes ?? [];
      if (attrs.some((a) => a.key === "nrdot.score" || a.key === "nrdot.rollup.count")) out.perScrape++;
      if (!attrs.some((a) => a.key === "nrdot.rollup" && a.value?.boolValue === true)) continue;
      out.others++;
      for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
        if (m.name === "nrdot.rollup.count") out.counts.push(...(m.gauge?.dataPoints ?? []).map((dp) => dp.asInt));
      }
    }
  }
  return out;
}

interface Point { t: number; metric: string; value: number; tiered: boolean }

/** points reads the process.cpu.time and process.memory.usage points of an OTLP/JSON lines file. */
function points(file: string): Point[] {
  const out: Point[] = [];
  for (const b of readBatches(file)) {
    for (const rm of b.resourceMetrics) {
      const tiered = resourceAttr(rm, "nrdot.tier") !== undefined;
      for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
        if (m.name !== "process.memory.usage" && m.name !== "process.cpu.time") continue;
        for (const dp of m.sum?.dataPoints ?? []) {
          out.push({ t: Number(BigInt(dp.timeUnixNano ?? 0) / 1_000_000n), metric: m.name, value: pointValue(dp), tiered });
        }
      }
    }
  }
  return out;
}

/** totals sums CPU and memory per scrape. */
function totals(ps: Point[], scrapeOf: (t: number) => number): Map<number, Totals> {
  const out = new Map<number, Totals>();
  for (const p of ps) {
    const k = scrapeOf(p.t);
    const e = out.get(k) ?? { cpu: 0, mem: 0, resources: 0, untiered: 0 };
    if (p.metric === "process.cpu.time") e.cpu += p.value;
    else {
      e.mem += p.value;
      e.resources++;
      if (!p.tiered) e.untiered++;
    }
    out.set(k, e);
  }
  return out;
}

describe("default profile on this host", () => {
  let dir: string;
  before(() => {
    requireBuilt();
    assert.ok(existsSync(join(wasmDir, "optimize.wasm")), "run `make build` first");
    dir = mkdtempSync(join(tmpdir(), "nrdot-default-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the totals of the unoptimized stream, tiers every resource, and persists its state", async () => {
    const overrides = join(dir, "overrides.yaml");
    writeFileSync(overrides, unoptimizedCopy(join(dir, "raw.jsonl")));
    // More processes than the profile keeps (max_processes 25), started before the collector, so
    // that there is always something to roll up, however few processes this host runs.
    const workload = startWorkload(dir, 60, 0);
    const run = startCollector([join(repoRoot, "configs/balanced/agent.yaml"), overrides], {
      NRDOT_DATA_DIR: dir, NRDOT_WASM_DIR: wasmDir,
      ...(await operatorPorts()),
    });
    try {
      // Three scrapes with deltas in both streams, each followed by two more in the optimized
      // stream (so all of its batches have landed). The first scrape is not compared: a process
      // started while the collector starts may have its first point made a delta in one pipeline
      // and dropped in the other (each pipeline's cumulative_to_delta starts on its own).
      const INTERVAL_MS = 2000;
      let byScrape: { raw: Map<number, Totals>; opt: Map<number, Totals> } | undefined;
      const times = await waitFor("3 comparable scrapes", () => {
        const raw = points(join(dir, "raw.jsonl"));
        const opt = points(join(dir, "metrics.jsonl"));
        if (raw.length === 0) return undefined;
        const scrapeOf = scrapes([...raw, ...opt], INTERVAL_MS);
        byScrape = { raw: totals(raw, scrapeOf), opt: totals(opt, scrapeOf) };
        const later = [...byScrape.opt.keys()];
        const first = Math.min(...byScrape.raw.keys());
        const done = [...byScrape.raw].filter(([t, r]) => t > first && byScrape!.opt.has(t) && r.cpu > 0 && later.filter((u) => u > t).length >= 2).map(([t]) => t);
        return done.length >= 3 ? done.sort((a, b) => a - b).slice(0, 3) : undefined;
      }, 90_000, run);
      for (const t of times) {
        const r = byScrape!.raw.get(t)!;
        const o = byScrape!.opt.get(t)!;
        assert.ok(Math.abs(o.cpu - r.cpu) <= 0.005 * r.cpu + 1e-9, `cpu at ${t}: ${o.cpu} vs ${r.cpu}`);
        assert.ok(Math.abs(o.mem - r.mem) <= 0.005 * r.mem, `memory at ${t}: ${o.mem} vs ${r.mem}`);
        assert.equal(o.untiered, 0, "every optimized resource has nrdot.tier");
        assert.ok(o.resources <= r.resources, "never more resources than the input");
      }
      const series = seriesAttributes(join(dir, "metrics.jsonl"));
      assert.equal(series.perScrape, 0, "no nrdot.score (score_attribute is not set) and no nrdot.rollup.count attribute");
      assert.ok(series.others > 0, "this host's processes were rolled up");
      assert.equal(series.counts.length, series.others, "every other carries one count point");
      for (const c of series.counts) assert.ok(typeof c === "string" && Number(c) >= 1, `the count is an int point: ${c}`);
    } finally {
      await stopCollector(run);
      workload.stop();
    }
    const state = join(dir, "state", "wasm");
    assert.ok(existsSync(state) && readdirSync(state).includes("wasm_optimize.state"), `state_directory has the optimizer's state:\n${run.output().slice(-2000)}`);
  });
});
