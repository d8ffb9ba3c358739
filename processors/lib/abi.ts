// ABI v2 plumbing shared by every processor (docs/reference/abi.md): status codes, the input
// buffer, the output region and the last error.
//
// Memory: modules use the stub runtime, which never frees (except the most recently allocated
// block). Buffers are therefore grown geometrically and reused, and nothing on the per-batch path
// allocates: the last error is kept as UTF-8 bytes in a static buffer, and table errors are
// composed into it piece by piece (errorBegin/errorText/errorInt/errorEnd).
import { encodeInto } from "./host";

export const ABI_VERSION: i32 = 2;

export const STATUS_OK: i32 = 0;
export const STATUS_BAD_CONFIG: i32 = 1;
export const STATUS_BAD_TABLE: i32 = 2;
export const STATUS_BAD_SNAPSHOT: i32 = 3;
export const STATUS_INTERNAL: i32 = 4;

/** MAX_ALLOC is the largest block the runtime can hand out (a bit under 1 GiB). */
export const MAX_ALLOC: i32 = (1 << 30) - 64;
const MIN_BUFFER: i32 = 1024;

/**
 * tryAlloc returns an aligned block of size bytes, or 0 when linear memory cannot grow that far
 * (the host caps it). Unlike heap.alloc, which traps when memory.grow fails, it grows memory
 * itself first, so the caller can report the failure.
 */
export function tryAlloc(size: i32): usize {
  if (size < 0 || size > MAX_ALLOC) return 0;
  // Under the stub runtime, an empty block freed at once shows where the next block will start.
  const top = heap.alloc(0);
  heap.free(top);
  const need: u64 = <u64>top + <u64>size + 64;
  const have: u64 = <u64>memory.size() << 16;
  if (need > have) {
    const pages = <i32>((need - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return 0;
  }
  return heap.alloc(<usize>size);
}

/** inMemory reports whether the len bytes at ptr lie inside linear memory. */
export function inMemory(ptr: usize, len: i32): bool {
  return len >= 0 && <u64>ptr + <u64>len <= (<u64>memory.size() << 16);
}

/**
 * Growable is a reusable scratch region: ensure(size) returns at least size bytes, keeping the
 * region when it is big enough; the old contents are not kept. 0 means out of memory.
 */
class Growable {
  ptr: usize = 0;
  cap: i32 = 0;

  ensure(size: i32): usize {
    if (size < 0) return 0;
    if (this.ptr != 0 && size <= this.cap) return this.ptr;
    const old = this.cap;
    // Release the old block first: if it is the last one, the stub runtime reuses its space.
    if (this.ptr != 0) heap.free(this.ptr);
    this.ptr = 0;
    this.cap = 0;
    const want = max<i32>(size, MIN_BUFFER);
    // Double when that fits, so repeated growth wastes at most about as much as is in use.
    const doubled = <i64>old * 2;
    let p: usize = 0;
    let cap = want;
    if (doubled > <i64>want && doubled <= <i64>MAX_ALLOC) {
      p = tryAlloc(<i32>doubled);
      if (p != 0) cap = <i32>doubled;
    }
    if (p == 0) p = tryAlloc(want);
    if (p == 0) return 0;
    this.ptr = p;
    this.cap = cap;
    return p;
  }
}

const input = new Growable();
const output = new Growable();
let outputAt: usize = 0;

/**
 * inputBuffer is nrdot_buffer: an 8-byte aligned buffer of at least size bytes for the host to
 * write into, reused and grown across calls; 0 when it cannot allocate (or size < 0).
 */
export function inputBuffer(size: i32): usize {
  return input.ensure(size);
}

/**
 * outputBuffer returns a reusable region of at least size bytes and makes it the output that
 * nrdot_output_ptr reports; 0 when it cannot allocate (then the output is empty).
 */
export function outputBuffer(size: i32): usize {
  outputAt = output.ensure(size);
  return outputAt;
}

/** outputPointer is what nrdot_output_ptr returns. */
export function outputPointer(): usize {
  return outputAt;
}

/** outputBytes copies len bytes at ptr into the output region; returns len, or 0 when out of memory. */
export function outputBytes(ptr: usize, len: i32): i32 {
  const dst = outputBuffer(len);
  if (dst == 0) return 0;
  memory.copy(dst, ptr, <usize>len);
  return len;
}

/** outputString copies s as UTF-8 into the output region and returns its length. */
export function outputString(s: string): i32 {
  const n = String.UTF8.byteLength(s);
  const dst = outputBuffer(n);
  if (dst == 0) return 0;
  return encodeInto(s, dst, n);
}

// The last error, as UTF-8 bytes in a static buffer (longer messages are cut).
const ERROR_CAP: i32 = 4096;
const ERROR_BUF: usize = memory.data(4096);
let errorLen: i32 = 0;

/** fail records message for nrdot_error and returns status, so callers can `return fail(...)`. */
export function fail(status: i32, message: string): i32 {
  errorBegin();
  errorText(message);
  return errorEnd(status);
}

/** errorBegin starts a new error message (see errorText, errorInt, errorEnd). */
export function errorBegin(): void {
  errorLen = 0;
}

/** errorText appends s to the error message being composed. */
export function errorText(s: string): void {
  errorLen += encodeInto(s, ERROR_BUF + <usize>errorLen, ERROR_CAP - errorLen);
}

/** errorInt appends v in decimal to the error message being composed. */
export function errorInt(v: i64): void {
  let u: u64 = v < 0 ? <u64>(-v) : <u64>v;
  let digits = 1;
  for (let t = u; t >= 10; t /= 10) digits++;
  const n = digits + (v < 0 ? 1 : 0);
  if (errorLen + n > ERROR_CAP) return;
  let at = ERROR_BUF + <usize>(errorLen + n);
  for (let i = 0; i < digits; i++) {
    at--;
    store<u8>(at, <u8>(0x30 + u % 10));
    u /= 10;
  }
  if (v < 0) store<u8>(ERROR_BUF + <usize>errorLen, 0x2d);
  errorLen += n;
}

/** errorEnd finishes the message and returns status. */
export function errorEnd(status: i32): i32 {
  return status;
}

/** errorClear forgets the last error (nrdot_error then returns 0). */
export function errorClear(): void {
  errorLen = 0;
}

/** outputError is nrdot_error: copies the last error message to the output; returns its length. */
export function outputError(): i32 {
  return outputBytes(ERROR_BUF, errorLen);
}

/** errorMessage returns the last error as a string (tests and configure-time code: it allocates). */
export function errorMessage(): string {
  return String.UTF8.decodeUnsafe(ERROR_BUF, <usize>errorLen);
}
