// A test guest for the Go host's unit tests, written against the raw ABI (no guest library) so
// the host is tested on its own. Its decision for a row follows the row's executable name:
//   drop*  -> drop            roll*  -> roll up        trap*  -> trap (unreachable)
//   bad*   -> action 9        crit*  -> keep, critical count* -> keep, score = batches seen
//   anything else -> keep, tier standard, score = process.cpu.time (sum)
// State: the number of batches seen, snapshotted as 4 bytes "NRD1" + u32.
// Config: {"refuse": true} makes nrdot_configure fail with BAD_CONFIG; {"bad_rollup": true}
// makes nrdot_rollup declare a line the host does not know.
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
  return 0;
}

export function nrdot_columns(): i32 {
  return setOutString(COLUMNS);
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
  return 0;
}

export function nrdot_snapshot(): i32 {
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
