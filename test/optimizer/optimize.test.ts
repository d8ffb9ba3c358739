// The optimize module's behaviours, row by row, in the TypeScript host.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Chain, GAUGE_DEGRADATION_LEVEL, loadInstance, StatusError, type MetricsData, type Row } from "../../src/host/index.ts";
import { builtModule } from "../host/helpers.ts";

interface P { pid: number; name?: string; tier?: string; cpu?: number; mem?: number; uptime?: number }

/** row is one process in interval i (10 s long) with cpu in cores and mem in bytes. */
function row(p: P, i: number): Row {
  const t = 1_000_000 + 10 * i;
  return {
    attrs: { "process.pid": String(p.pid), "process.executable.name": p.name ?? `p${p.pid}`, "nrdot.tier": p.tier ?? "standard" },
    metrics: {
      "process.cpu.time:sum": (p.cpu ?? 0) * 10, "process.cpu.time:start_time": t - 10, "process.cpu.time:time": t,
      "process.memory.usage:sum": p.mem ?? 1e6, "process.memory.usage:time": t, "process.uptime:max": p.uptime ?? 3600 + 10 * i,
    },
  };
}

const optimize = (config: Record<string, unknown>, pressure = 0) =>
  loadInstance(builtModule("optimize"), config, { memoryPressure: () => pressure });

function kept(inst: Awaited<ReturnType<typeof optimize>>, procs: P[], i: number): number[] {
  const d = inst.process(procs.map((p) => row(p, i)));
  return procs.filter((_, r) => d[r].action === "keep").map((p) => p.pid);
}

describe("optimize", () => {
  it("keeps protected tiers and the top consumers, ranks the rest, rolls up the remainder", async () => {
    const inst = await optimize({ max_processes: 2, always_keep_top: 1 });
    const procs: P[] = [
      { pid: 1, tier: "critical", cpu: 0 }, { pid: 2, tier: "important" }, { pid: 3, cpu: 0.9 }, { pid: 4, mem: 9e9 },
      { pid: 5, cpu: 0.3 }, { pid: 6, cpu: 0.2 }, { pid: 7, cpu: 0.1 }, { pid: 8 },
    ];
    assert.deepEqual(kept(inst, procs, 0), [1, 2, 3, 4, 5, 6]);
    const d = inst.process(procs.map((p) => row(p, 1)));
    assert.equal(d[7].action, "rollup");
    assert.equal(d[0].tier, "critical");
  });

  it("treats a process an earlier classify left without a tier as standard, for keep_tiers too", async () => {
    const inst = await optimize({ max_processes: 0, always_keep_top: 0, keep_tiers: ["standard"], weights: { importance: 1, cpu: 0, memory: 0 } });
    const d = inst.process([row({ pid: 1, tier: "" }, 0), row({ pid: 2, tier: "sampled" }, 0)]);
    assert.equal(d[0].action, "keep");
    assert.equal(d[0].tier, "standard");
    assert.equal(d[0].score, 0.5, "the standard tier's importance");
    assert.equal(d[1].action, "rollup");
  });

  it("uses hysteresis so a process at the boundary does not flap", async () => {
    const inst = await optimize({ max_processes: 1, always_keep_top: 0, hysteresis: 0.2, ewma_alpha: 1, weights: { importance: 0, cpu: 1, memory: 0 } });
    assert.deepEqual(kept(inst, [{ pid: 1, cpu: 0.50 }, { pid: 2, cpu: 0.45 }], 0), [1]);
    // pid 2 is now 10% busier: within the incumbent's 20% bonus, so pid 1 stays.
    assert.deepEqual(kept(inst, [{ pid: 1, cpu: 0.50 }, { pid: 2, cpu: 0.55 }], 1), [1]);
    // 50% busier: beyond the bonus, membership changes.
    assert.deepEqual(kept(inst, [{ pid: 1, cpu: 0.50 }, { pid: 2, cpu: 0.75 }], 2), [2]);
  });

  it("treats a reused pid with a new start time as a new process", async () => {
    const inst = await optimize({ max_processes: 1, always_keep_top: 0, hysteresis: 0.5, ewma_alpha: 0.1, weights: { importance: 0, cpu: 1, memory: 0 } });
    kept(inst, [{ pid: 1, cpu: 0.9 }, { pid: 2, cpu: 0.5 }], 0);
    kept(inst, [{ pid: 1, cpu: 0.9 }, { pid: 2, cpu: 0.5 }], 1);
    // pid 1 exits; its pid comes back 5 s old and idle: no inherited history or incumbency.
    assert.deepEqual(kept(inst, [{ pid: 1, cpu: 0.01, uptime: 5 }, { pid: 2, cpu: 0.5 }], 2), [2]);
  });

  it("rolls up excluded names and processes under the thresholds", async () => {
    const inst = await optimize({ always_keep_top: 0, exclude: ["kworker/*", "*-test"], min_cpu: 0.01, min_memory_mib: 1, min_age_seconds: 60 });
    const procs: P[] = [
      { pid: 1, name: "kworker/0:1", cpu: 0.5 }, { pid: 2, name: "api-test", cpu: 0.5 }, { pid: 3, cpu: 0.001 },
      { pid: 4, cpu: 0.5, mem: 1000 }, { pid: 5, cpu: 0.5, uptime: 30 }, { pid: 6, cpu: 0.5, mem: 2e6 },
      { pid: 7, name: "kworker/1:0", tier: "critical" },
    ];
    assert.deepEqual(kept(inst, procs, 0), [6, 7]);
  });

  it("degrades under memory pressure but never rolls up critical processes", async () => {
    const procs: P[] = [{ pid: 1, tier: "critical" }, { pid: 2, tier: "important" }, ...Array.from({ length: 40 }, (_, i) => ({ pid: 10 + i, cpu: 0.01 * (i + 1) }))];
    const config = { max_processes: 100, always_keep_top: 0 };
    const at = async (pressure: number) => kept(await optimize(config, pressure), procs, 0);
    assert.equal((await at(0)).length, 42);
    const p60 = await at(0.65);
    const p70 = await at(0.75);
    const p80 = await at(0.85);
    assert.ok(p60.length <= 42 && p70.length < p60.length && p80.length < p70.length, `${p60.length} ${p70.length} ${p80.length}`);
    assert.deepEqual(await at(0.95), [1], "90%: critical only");
    for (const k of [p60, p70, p80]) assert.ok(k.includes(1), "critical kept");
    // keep_fraction is a hash of the process identity: the same processes every time.
    assert.deepEqual(await at(0.85), p80);
  });

  it("reports the degradation level it applied with every batch (nrdot.report_gauge)", async () => {
    const procs: P[] = [{ pid: 1, tier: "critical" }, ...Array.from({ length: 10 }, (_, i) => ({ pid: 10 + i, cpu: 0.01 * (i + 1) }))];
    // default levels at 0.6, 0.7, 0.8 and 0.9: the level is index + 1 of the highest reached
    for (const [pressure, level] of [[0, 0], [0.59, 0], [0.6, 1], [0.75, 2], [0.85, 3], [0.95, 4], [1, 4]]) {
      const told: number[] = [];
      const inst = await loadInstance(builtModule("optimize"), {}, {
        memoryPressure: () => pressure,
        gauge: (name, v) => { if (name === GAUGE_DEGRADATION_LEVEL) told.push(v); },
      });
      assert.equal(inst.gauges().get(GAUGE_DEGRADATION_LEVEL), undefined, "nothing before the first batch");
      kept(inst, procs, 0);
      kept(inst, procs, 1);
      assert.equal(inst.gauges().get(GAUGE_DEGRADATION_LEVEL), level, `pressure ${pressure}`);
      assert.deepEqual(told, [level, level], "once per batch");
    }
    // levels out of order: the one with the highest pressure reached is in force
    const inst = await optimize({ degradation: [{ pressure: 0.9, critical_only: true }, { pressure: 0.5, min_score: 0.2 }] }, 0.7);
    kept(inst, procs, 0);
    assert.equal(inst.gauges().get(GAUGE_DEGRADATION_LEVEL), 2);
  });

  it("shows the level in a chain's stage results", async () => {
    let pressure = 0;
    const chain = await Chain.load([{ module: builtModule("classify") }, { module: builtModule("optimize") }], { memoryPressure: () => pressure });
    const batch: MetricsData = { resourceMetrics: [{ resource: { attributes: [{ key: "process.pid", value: { stringValue: "1" } }] }, scopeMetrics: [] }] };
    assert.deepEqual(chain.run(batch).stages.map((s) => s.gauges), [{}, { degradation_level: 0 }]);
    pressure = 0.95;
    assert.deepEqual(chain.run(batch).stages.map((s) => s.gauges), [{}, { degradation_level: 4 }]);
  });

  it("snapshots and restores its state", async () => {
    const config = { max_processes: 1, always_keep_top: 0, hysteresis: 0.2, ewma_alpha: 1, weights: { importance: 0, cpu: 1, memory: 0 } };
    const a = await optimize(config);
    kept(a, [{ pid: 1, cpu: 0.50 }, { pid: 2, cpu: 0.45 }], 0);
    const b = await optimize(config);
    b.restore(a.snapshot());
    assert.deepEqual(kept(b, [{ pid: 1, cpu: 0.50 }, { pid: 2, cpu: 0.55 }], 1), [1], "incumbency survives the restart");
    assert.throws(() => b.restore(new TextEncoder().encode("garbage!")), (e: unknown) => e instanceof StatusError && e.status === 3);
  });

  it("leaves resources without a pid as they are", async () => {
    const inst = await optimize({});
    const d = inst.process([{ attrs: {}, metrics: {} }]);
    assert.equal(d[0].action, "keep");
    assert.equal(d[0].tier, "");
  });

  it("names a bad config key", async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ max_process: 5 }, /max_process: unknown key .* did you mean `max_processes`/],
      [{ max_processes: -1 }, /max_processes: expected a whole number/],
      [{ weights: { cpu: 2 } }, /weights.cpu: expected a number from 0 to 1/],
      [{ degradation: [{ min_score: 0.5 }] }, /degradation\[0\].pressure: missing/],
      [{ keep_tiers: ["gold"] }, /keep_tiers\[0\]: expected one of/],
    ];
    for (const [config, re] of bad) {
      await assert.rejects(optimize(config), (e: unknown) => e instanceof StatusError && re.test(e.detail), JSON.stringify(config));
    }
  });
});
