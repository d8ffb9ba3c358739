// Per-process state kept across batches: smoothed CPU and memory, whether the process was kept
// last time (for hysteresis), when it was last seen (for expiry). A process is pid + start time.
// Open addressing over a preallocated block: no allocation per row; two tables are swapped when
// expired entries are swept, so the stub runtime (which never frees) does not leak.
import { mix64 } from "../lib/number";

const EMPTY: u64 = 0;

// One record per slot, so looking a process up touches one cache line, not one per field:
// key u64 @0, cpu f64 @8, mem f64 @16, seen f64 @24, kept u8 @32. A snapshot entry is the
// record's first ENTRY bytes.
const STRIDE: usize = 40;
const ENTRY: i32 = 33;

export class ProcessTable {
  cap: i32 = 0;
  count: i32 = 0;
  data: StaticArray<u8> = new StaticArray<u8>(0);

  constructor(cap: i32) {
    this.resize(cap);
  }

  resize(cap: i32): void {
    this.cap = cap;
    this.count = 0;
    this.data = new StaticArray<u8>(cap * <i32>STRIDE);
  }

  clear(): void {
    for (let i = 0; i < this.cap; i++) store<u64>(this.at(i), EMPTY);
    this.count = 0;
  }

  // @ts-ignore: decorator
  @inline at(slot: i32): usize { return changetype<usize>(this.data) + <usize>slot * STRIDE; }
  // @ts-ignore: decorator
  @inline key(slot: i32): u64 { return load<u64>(this.at(slot)); }
  // @ts-ignore: decorator
  @inline cpu(slot: i32): f64 { return load<f64>(this.at(slot), 8); }
  // @ts-ignore: decorator
  @inline mem(slot: i32): f64 { return load<f64>(this.at(slot), 16); }
  // @ts-ignore: decorator
  @inline seen(slot: i32): f64 { return load<f64>(this.at(slot), 24); }
  // @ts-ignore: decorator
  @inline kept(slot: i32): u8 { return load<u8>(this.at(slot), 32); }
  // @ts-ignore: decorator
  @inline setCpu(slot: i32, v: f64): void { store<f64>(this.at(slot), v, 8); }
  // @ts-ignore: decorator
  @inline setMem(slot: i32, v: f64): void { store<f64>(this.at(slot), v, 16); }
  // @ts-ignore: decorator
  @inline setSeen(slot: i32, v: f64): void { store<f64>(this.at(slot), v, 24); }
  // @ts-ignore: decorator
  @inline setKept(slot: i32, v: u8): void { store<u8>(this.at(slot), v, 32); }

  /** find returns the slot of key, or -1. */
  find(key: u64): i32 {
    const mask = this.cap - 1;
    let i = <i32>(mix64(key) & <u64>mask);
    for (;;) {
      const k = this.key(i);
      if (k == key) return i;
      if (k == EMPTY) return -1;
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** insert returns the slot of key, adding it (with NaN state) when absent. The caller keeps the load below 1/2. */
  insert(key: u64): i32 {
    const mask = this.cap - 1;
    let i = <i32>(mix64(key) & <u64>mask);
    for (;;) {
      const k = this.key(i);
      if (k == key) return i;
      if (k == EMPTY) {
        const at = this.at(i);
        store<u64>(at, key);
        store<f64>(at, NaN, 8);
        store<f64>(at, NaN, 16);
        store<f64>(at, 0, 24);
        store<u8>(at, 0, 32);
        this.count++;
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** copyLive copies every entry seen at or after since into dst (which must be empty and large enough). */
  copyLive(dst: ProcessTable, since: f64): void {
    for (let i = 0; i < this.cap; i++) {
      const k = this.key(i);
      if (k == EMPTY || this.seen(i) < since) continue;
      memory.copy(dst.at(dst.insert(k)), this.at(i), STRIDE);
    }
  }
}

/** State is the module's whole memory of processes, with room for rows more of them. */
export class State {
  live: ProcessTable = new ProcessTable(1024);
  spare: ProcessTable = new ProcessTable(1024);

  /** prepare makes room for `rows` new processes, sweeping entries not seen since `since`. */
  prepare(rows: i32, since: f64): void {
    if ((this.live.count + rows) * 2 <= this.live.cap) return;
    let cap = this.live.cap;
    while ((this.live.count + rows) * 2 > cap) cap <<= 1;
    if (this.spare.cap != cap) this.spare.resize(cap);
    else this.spare.clear();
    this.live.copyLive(this.spare, since);
    const t = this.live;
    this.live = this.spare;
    this.spare = t;
  }
}

/** identity packs pid and start time (whole seconds) into a non-zero key. */
export function identity(pid: i64, startSec: f64): u64 {
  const start = isFinite(startSec) && startSec > 0 ? <u64>Math.round(startSec) : 0;
  return ((<u64>pid & 0xffffffff) << 32 | (start & 0xffffffff)) + 1;
}

const MAGIC: u32 = 0x314f524e; // "NRO1"

/** snapshotSize is the byte size of a snapshot of s. */
export function snapshotSize(s: State): i32 {
  return 8 + s.live.count * ENTRY;
}

/** writeSnapshot writes "NRO1", the entry count, then key, cpu, mem, seen, kept per entry. */
export function writeSnapshot(s: State, p: usize): void {
  const t = s.live;
  store<u32>(p, MAGIC);
  store<u32>(p, <u32>t.count, 4);
  let at = p + 8;
  for (let i = 0; i < t.cap; i++) {
    const k = t.key(i);
    if (k == EMPTY) continue;
    memory.copy(at, t.at(i), <usize>ENTRY);
    at += <usize>ENTRY;
  }
}

/** readSnapshot loads a snapshot into s; returns "" or what is wrong with the bytes. */
export function readSnapshot(s: State, p: usize, len: i32): string {
  if (len < 8 || load<u32>(p) != MAGIC) return "not an optimize snapshot (NRO1)";
  const n = <i32>load<u32>(p, 4);
  if (<i64>len != 8 + <i64>n * <i64>ENTRY) return "snapshot length does not match its entry count";
  s.live.clear();
  s.prepare(n, -Infinity);
  let at = p + 8;
  for (let e = 0; e < n; e++) {
    memory.copy(s.live.at(s.live.insert(load<u64>(at))), at, <usize>ENTRY);
    at += <usize>ENTRY;
  }
  return "";
}
