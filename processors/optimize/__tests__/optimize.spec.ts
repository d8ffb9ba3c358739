import { NUM_COLS, STR_COLS, degradationLevel, kthLargest, optimize } from "../select";
import { Table } from "../../lib/table";
import { State, identity, readSnapshot, snapshotSize, writeSnapshot } from "../state";
import { parseConfig } from "../config";
import { nrdot_abi_version, nrdot_output_ptr, nrdot_rollup } from "../index";

describe("kthLargest", () => {
  it("finds the k-th largest, duplicates included", () => {
    const a = new StaticArray<f64>(7);
    const v: f64[] = [0.3, 0.9, 0.1, 0.9, 0.5, 0.7, 0.2];
    for (let i = 0; i < 7; i++) a[i] = v[i];
    expect(kthLargest(a, 7, 0)).toBe(0.9);
    expect(kthLargest(a, 7, 1)).toBe(0.9);
    expect(kthLargest(a, 7, 2)).toBe(0.7);
    expect(kthLargest(a, 7, 6)).toBe(0.1);
  });
});

describe("process identity", () => {
  it("is pid plus start time: a reused pid is a new process", () => {
    expect(identity(42, 1000.2)).toBe(identity(42, 999.8));
    expect(identity(42, 1000)).not.toBe(identity(42, 2000));
    expect(identity(42, 1000)).not.toBe(identity(43, 1000));
    expect(identity(0, NaN)).not.toBe(0);
  });
});

describe("State", () => {
  it("grows, sweeps entries not seen since the cut-off, and keeps the rest", () => {
    const s = new State();
    for (let i = 0; i < 600; i++) {
      const j = s.live.insert(identity(i, 1));
      s.live.setSeen(j, i < 300 ? 10 : 20);
    }
    s.prepare(600, 15); // needs room: sweeps the 300 entries last seen at 10
    expect(s.live.count).toBe(300);
    expect(s.live.find(identity(10, 1))).toBe(-1);
    expect(s.live.find(identity(310, 1))).toBeGreaterThanOrEqual(0);
  });
  it("round-trips a snapshot and refuses a corrupt one", () => {
    const s = new State();
    const j = s.live.insert(identity(7, 100));
    s.live.setCpu(j, 0.25);
    s.live.setKept(j, 1);
    const n = snapshotSize(s);
    const buf = new ArrayBuffer(n);
    writeSnapshot(s, changetype<usize>(buf));
    const t = new State();
    expect(readSnapshot(t, changetype<usize>(buf), n)).toBe("");
    const k = t.live.find(identity(7, 100));
    expect(t.live.cpu(k)).toBe(0.25);
    expect(t.live.kept(k)).toBe(1);
    expect(readSnapshot(t, changetype<usize>(buf), n - 1)).toBe("snapshot length does not match its entry count");
    store<u32>(changetype<usize>(buf), 0);
    expect(readSnapshot(t, changetype<usize>(buf), n)).toBe("not an optimize snapshot (NRO1)");
  });
});

describe("optimize config", () => {
  it("has the balanced defaults", () => {
    const c = parseConfig("{}");
    expect(c.error).toBe("");
    expect(c.maxProcesses).toBe(50);
    expect(c.levels.length).toBe(4);
    expect(c.keepTiers[1]).toBe(true);
    expect(c.keepTiers[3]).toBe(false);
  });
  it("reads every key", () => {
    const c = parseConfig('{"max_processes": 10, "exclude": ["kworker/*"], "min_memory_mib": 2, "keep_tiers": ["critical"], "degradation": [{"pressure": 0.5, "critical_only": true}]}');
    expect(c.error).toBe("");
    expect(c.maxProcesses).toBe(10);
    expect(c.exclude.length).toBe(1);
    expect(c.minMemoryBytes).toBe(2.0 * 1048576);
    expect(c.keepTiers[2]).toBe(false);
    expect(c.levels.length).toBe(1);
    expect(c.levels[0].criticalOnly).toBe(true);
  });
  it("names bad keys and values", () => {
    expect(parseConfig('{"ewma_alpha": 0}').error).toBe("ewma_alpha: expected a number from 0.01 to 1");
    expect(parseConfig('{"exclude": "kworker/*"}').error).toBe("exclude: expected an array of globs, got a string");
    expect(parseConfig('{"weights": {"io": 1}}').error).toBe("weights.io: unknown key (known: importance, cpu, memory)");
  });
});

describe("optimize ABI", () => {
  it("is ABI version 2 and declares the process roll-up: one other per host, counted", () => {
    expect(nrdot_abi_version()).toBe(2);
    const n = nrdot_rollup();
    expect(String.UTF8.decodeUnsafe(nrdot_output_ptr(), <usize>n)).toBe("group host.name\nstrip process.\nstrip nrdot.\n" +
      "set process.executable.name string other\nset nrdot.rollup bool true\nset nrdot.tier string sampled\ncount nrdot.rollup.count\n");
  });
});

// @ts-ignore: decorator
@external("nrdot_test", "gauge")
declare function reportedGauge(ptr: usize, len: i32): f64;

/** reported is the last value the module gave the host for the gauge name (NaN: none). */
function reported(name: string): f64 {
  const b = String.UTF8.encode(name);
  return reportedGauge(changetype<usize>(b), b.byteLength);
}

/** oneRowTable is a table of optimize's columns with one row that is not a process (no pid). */
function oneRowTable(): Table {
  const len = 16 + 8 * NUM_COLS + 4 * STR_COLS * 2;
  const b = new ArrayBuffer(len);
  const p = changetype<usize>(b);
  store<u32>(p, 1);
  store<u32>(p, 1, 4);
  store<u32>(p, STR_COLS, 8);
  store<u32>(p, NUM_COLS, 12);
  const t = new Table();
  expect(t.load(p, len, STR_COLS, NUM_COLS)).toBe(0);
  return t;
}

describe("degradation level", () => {
  it("is 0 below the first level, then index + 1 of the highest level reached", () => {
    const levels = parseConfig("{}").levels; // 0.6, 0.7, 0.8, 0.9
    expect(degradationLevel(levels, 0)).toBe(0);
    expect(degradationLevel(levels, 0.59)).toBe(0);
    expect(degradationLevel(levels, 0.6)).toBe(1);
    expect(degradationLevel(levels, 0.75)).toBe(2);
    expect(degradationLevel(levels, 0.85)).toBe(3);
    expect(degradationLevel(levels, 1)).toBe(4);
    expect(degradationLevel([], 1)).toBe(0);
  });
  it("is the level of the highest pressure reached when the levels are not in order", () => {
    const c = parseConfig('{"degradation": [{"pressure": 0.9, "critical_only": true}, {"pressure": 0.5, "min_score": 0.2}]}');
    expect(c.error).toBe("");
    expect(degradationLevel(c.levels, 0.6)).toBe(2);
    expect(degradationLevel(c.levels, 0.95)).toBe(1);
  });
  it("is reported to the host with every batch (nrdot.report_gauge degradation_level)", () => {
    const c = parseConfig("{}");
    const t = oneRowTable();
    optimize(t, c, new State(), 0.82);
    expect(reported("degradation_level")).toBe(3);
    optimize(t, c, new State(), 0.1);
    expect(reported("degradation_level")).toBe(0);
  });
});
