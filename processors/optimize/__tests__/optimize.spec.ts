import { kthLargest } from "../select";
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
