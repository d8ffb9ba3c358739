// A test guest for the Go host's unit tests, written against the raw ABI (no guest library) so
// the host is tested on its own. Its decision for a row follows the row's executable name:
//   drop*  -> drop            roll*  -> roll up        trap*  -> trap (unreachable)
//   bad*   -> action 9        crit*  -> keep, critical count* -> keep, score = batches seen
//   anything else -> keep, tier standard, score = process.cpu.time (sum)
// Rows that misbehave on purpose (the host's error paths):
//   spin*    -> nrdot_process never returns (a loop with no exit)
//   status*  -> nrdot_process returns INTERNAL (4) with a message
//   logbad*  -> nrdot.log with a pointer outside memory, then keep
//   outbad*  -> nrdot_output_ptr points outside memory after this call
//   bufzero* -> the next nrdot_buffer returns 0; bufout* -> it returns an address outside memory
// State: the number of batches seen, snapshotted as 4 bytes "NRD1" + u32.
// Config: {"refuse": true} makes nrdot_configure fail with BAD_CONFIG; {"bad_rollup": true}
// makes nrdot_rollup declare a line the host does not know; {"bad_columns": true} makes
// nrdot_columns declare one; {"snapshot_fails": true} makes nrdot_snapshot return -INTERNAL;
// {"spin_snapshot": true} makes nrdot_snapshot never return; {"snapshot_traps": true} makes it trap.
// Roll-up: the shape optimize and classify declare (one "other" per host.name, counted).

@external("nrdot", "log")
declare function hostLog(level: i32, ptr: usize, len: i32): void;

let inBuf: usize = 0;
let inCap: i32 = 0;
let outBuf: usize = 0;
let outCap: i32 = 0;
let outPtr: usize = 0;
let batches: u32 = 0;
let errMsg: string = "";

const COLUMNS = "attr process.executable.name\nmetric process.cpu.time sum\nmetric process.cpu.time start_time\n";
const ROLLUP = "group host.name\nstrip process.\nstrip nrdot.\nset process.executable.name string other\n" +
  "set nrdot.rollup bool true\nset nrdot.tier string sampled\ncount nrdot.rollup.count\n";
const BAD_ROLLUP = "group host.name\nsum everything\n";
let badRollup = false;
let badColumns = false;
let snapshotFails = false;
let spinSnapshot = false;
let snapshotTraps = false;
let bufferMode = 0; // 0 normal, 1 returns 0, 2 returns an address outside memory
const BAD_COLUMNS = "attr process.executable.name\nmetric process.cpu.time median\n";

function ensureOut(n: i32): usize {
  if (n > outCap) {
    outBuf = heap.alloc(<usize>n);
    outCap = n;
  }
  return outBuf;
}

function setOutString(s: string): i32 {
  const buf = String.UTF8.encode(s);
  const n = buf.byteLength;
  const p = ensureOut(n);
  memory.copy(p, changetype<usize>(buf), <usize>n);
  outPtr = p;
  return n;
}

export function nrdot_abi_version(): i32 {
  return 2;
}

export function nrdot_buffer(size: i32): usize {
  if (bufferMode == 1) return 0;
  if (bufferMode == 2) return 0xfffffff0;
  if (size > inCap) {
    inBuf = heap.alloc(<usize>size);
    inCap = size;
  }
  return inBuf;
}

export function nrdot_output_ptr(): usize {
  return outPtr;
}

export function nrdot_configure(ptr: usize, len: i32): i32 {
  const text = String.UTF8.decodeUnsafe(ptr, <usize>len);
  if (text.includes('"refuse":true')) {
    errMsg = "refuse: this test module was told to refuse its config";
    return 1;
  }
  badRollup = text.includes('"bad_rollup":true');
  badColumns = text.includes('"bad_columns":true');
  snapshotFails = text.includes('"snapshot_fails":true');
  spinSnapshot = text.includes('"spin_snapshot":true');
  snapshotTraps = text.includes('"snapshot_traps":true');
  return 0;
}

export function nrdot_columns(): i32 {
  return setOutString(badColumns ? BAD_COLUMNS : COLUMNS);
}

export function nrdot_rollup(): i32 {
  return setOutString(badRollup ? BAD_ROLLUP : ROLLUP);
}

function startsWith(p: usize, len: i32, prefix: string): bool {
  const n = prefix.length;
  if (len < n) return false;
  for (let i = 0; i < n; i++) {
    if (<i32>load<u8>(p + <usize>i) != prefix.charCodeAt(i)) return false;
  }
  return true;
}

export function nrdot_process(ptr: usize, len: i32): i32 {
  if (len < 16 || load<u32>(ptr) != 1 || load<u32>(ptr, 8) != 1 || load<u32>(ptr, 12) != 2) {
    errMsg = "table header does not match the declared columns";
    return 2;
  }
  batches++;
  const rows = <i32>load<u32>(ptr, 4);
  const nums = ptr + 16;
  const offs = nums + <usize>(8 * 2 * rows);
  const block = offs + <usize>(4 * (rows + 1));
  const out = ensureOut(rows * 16);
  outPtr = out;
  let outsideOutput = false;
  for (let r = 0; r < rows; r++) {
    const start = load<u32>(offs + <usize>(4 * r));
    const end = load<u32>(offs + <usize>(4 * (r + 1)));
    const name = block + <usize>start;
    const n = <i32>(end - start);
    const rec = out + <usize>(16 * r);
    let action: u8 = 0;
    let tier: u8 = 3;
    let score: f64 = load<f64>(nums + <usize>(8 * r));
    if (startsWith(name, n, "drop")) action = 1;
    else if (startsWith(name, n, "roll")) action = 2;
    else if (startsWith(name, n, "trap")) unreachable();
    else if (startsWith(name, n, "bad")) action = 9;
    else if (startsWith(name, n, "crit")) tier = 1;
    else if (startsWith(name, n, "spin")) spin();
    else if (startsWith(name, n, "status")) {
      errMsg = "status: this test module was told to fail the batch";
      return 4;
    } else if (startsWith(name, n, "logbad")) hostLog(2, 0xfffffff0, 100);
    else if (startsWith(name, n, "outbad")) outsideOutput = true;
    else if (startsWith(name, n, "bufzero")) bufferMode = 1;
    else if (startsWith(name, n, "bufout")) bufferMode = 2;
    else if (startsWith(name, n, "count")) score = <f64>batches;
    store<u8>(rec, action);
    store<u8>(rec, tier, 1);
    store<u16>(rec, 0, 2);
    store<u32>(rec, 0, 4);
    store<f64>(rec, score, 8);
  }
  if (rows > 0) {
    const msg = "processed a batch";
    const b = String.UTF8.encode(msg);
    hostLog(0, changetype<usize>(b), b.byteLength);
  }
  if (outsideOutput) outPtr = 0xfffffff0;
  return 0;
}

let spins: u64 = 0;

// spin never returns: a loop whose exit the compiler cannot prove unreachable.
function spin(): void {
  while (spins != 0xffffffffffffffff || spins == 0xffffffffffffffff) spins++;
}

export function nrdot_snapshot(): i32 {
  if (spinSnapshot) spin();
  if (snapshotTraps) unreachable();
  if (snapshotFails) {
    errMsg = "snapshot: this test module was told to fail its snapshot";
    return -4;
  }
  const p = ensureOut(8);
  store<u32>(p, 0x3144524e); // "NRD1"
  store<u32>(p, batches, 4);
  outPtr = p;
  return 8;
}

export function nrdot_restore(ptr: usize, len: i32): i32 {
  if (len != 8 || load<u32>(ptr) != 0x3144524e) {
    errMsg = "snapshot is not an NRD1 snapshot";
    return 3;
  }
  batches = load<u32>(ptr, 4);
  return 0;
}

export function nrdot_error(): i32 {
  return setOutString(errMsg);
}
