// End to end: the default profile (configs/balanced/agent.yaml) on this host's real processes, next to an
// unoptimized copy of the same scrapes. Per interval, the optimized stream's CPU and memory
// totals equal the unoptimized ones; every resource carries a tier; state reaches file_storage.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireBuilt, repoRoot, startCollector, stopCollector, waitFor, wasmDir } from "./collector.ts";

interface Totals { cpu: number; mem: number; resources: number; untiered: number }

/**
 * seriesAttributes reads what the default profile must not put in resource attributes (values
 * that change every scrape make a new series every scrape): nrdot.score and nrdot.rollup.count.
 * It returns how many resources carry either, and the count points of the roll-ups.
 */
function seriesAttributes(file: string): { perScrape: number; counts: unknown[]; others: number } {
  const out = { perScrape: 0, counts: [] as unknown[], others: 0 };
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    let doc: any;
    try { doc = JSON.parse(line); } catch { continue; }
    for (const rm of doc.resourceMetrics ?? []) {
      const attrs: any[] = rm.resource?.attributes ?? [];
      if (attrs.some((a) => a.key === "nrdot.score" || a.key === "nrdot.rollup.count")) out.perScrape++;
      if (!attrs.some((a) => a.key === "nrdot.rollup" && a.value?.boolValue === true)) continue;
      out.others++;
      for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
        if (m.name === "nrdot.rollup.count") out.counts.push(...(m.gauge?.dataPoints ?? []).map((dp: any) => dp.asInt));
      }
    }
  }
  return out;
}

/** totalsByTime sums process.cpu.time and process.memory.usage per scrape timestamp. */
function totalsByTime(file: string): Map<string, Totals> {
  const out = new Map<string, Totals>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    let doc: any;
    try { doc = JSON.parse(line); } catch { continue; }
    for (const rm of doc.resourceMetrics ?? []) {
      const tiered = (rm.resource?.attributes ?? []).some((a: any) => a.key === "nrdot.tier");
      for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
        if (m.name !== "process.memory.usage" && m.name !== "process.cpu.time") continue;
        for (const dp of m.sum?.dataPoints ?? []) {
          const t = dp.timeUnixNano;
          const e = out.get(t) ?? { cpu: 0, mem: 0, resources: 0, untiered: 0 };
          const v = dp.asInt !== undefined ? Number(dp.asInt) : dp.asDouble ?? 0;
          if (m.name === "process.cpu.time") e.cpu += v;
          else {
            e.mem += v;
            e.resources++;
            if (!tiered) e.untiered++;
          }
          out.set(t, e);
        }
      }
    }
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
    writeFileSync(overrides, `
receivers:
  host_metrics:
    collection_interval: 2s
processors:
  batch/critical: {timeout: 200ms}
  batch/standard: {timeout: 200ms}
  batch/sampled: {timeout: 200ms}
exporters:
  file/raw:
    path: ${join(dir, "raw.jsonl")}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics/raw:
      receivers: [host_metrics]
      processors: [cumulative_to_delta]
      exporters: [file/raw]
`);
    const run = startCollector([join(repoRoot, "configs/balanced/agent.yaml"), overrides], {
      NRDOT_DATA_DIR: dir, NRDOT_WASM_DIR: wasmDir,
      NRDOT_HEALTH_ENDPOINT: `127.0.0.1:${await freePort()}`, NRDOT_PPROF_ENDPOINT: `127.0.0.1:${await freePort()}`, NRDOT_ZPAGES_ENDPOINT: `127.0.0.1:${await freePort()}`,
    });
    try {
      // Three intervals with deltas in both streams (the first scrape has none).
      const times = await waitFor("3 comparable intervals", () => {
        const raw = totalsByTime(join(dir, "raw.jsonl"));
        const opt = totalsByTime(join(dir, "metrics.jsonl"));
        const both = [...raw.keys()].filter((t) => opt.has(t) && raw.get(t)!.cpu > 0);
        return both.length >= 3 ? both.slice(0, 3) : undefined;
      }, 60_000, run);
      await new Promise((r) => setTimeout(r, 1000)); // let the last batches of those intervals land
      const raw = totalsByTime(join(dir, "raw.jsonl"));
      const opt = totalsByTime(join(dir, "metrics.jsonl"));
      for (const t of times) {
        const r = raw.get(t)!;
        const o = opt.get(t)!;
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
    }
    const state = join(dir, "state");
    assert.ok(existsSync(state) && readdirSync(state).some((f) => f.includes("wasm_optimize")), `file_storage has the optimizer's state:\n${run.output().slice(-2000)}`);
  });
});
