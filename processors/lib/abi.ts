// ABI v1 plumbing shared by every processor: the input buffer, the output region, the last
// error, status codes (docs/reference/abi.md).

// The host module's imports and the abort replacement must be part of every module.
export { log, nrdotAbort } from "./host";

export const ABI_VERSION: i32 = 1;

export const STATUS_OK: i32 = 0;
export const STATUS_BAD_CONFIG: i32 = 1;
export const STATUS_BAD_TABLE: i32 = 2;
export const STATUS_BAD_SNAPSHOT: i32 = 3;
export const STATUS_INTERNAL: i32 = 4;

let inputPtr: usize = 0;
let inputCap: usize = 0;
let outputPtr: usize = 0;
let outputCap: usize = 0;
let outputAt: usize = 0;
let lastError: string = "";

/** inputBuffer returns an 8-byte aligned buffer of at least size bytes, reused across calls. */
export function inputBuffer(size: i32): usize {
  if (size < 0) return 0;
  if (<usize>size > inputCap) {
    // The stub runtime never frees; growing geometrically bounds the waste.
    const cap = max<usize>(<usize>size, inputCap * 2);
    inputPtr = heap.alloc(cap);
    inputCap = cap;
  }
  return inputPtr;
}

/** outputBuffer returns a reusable region of at least size bytes and makes it the output. */
export function outputBuffer(size: i32): usize {
  if (<usize>size > outputCap) {
    const cap = max<usize>(<usize>size, outputCap * 2);
    outputPtr = heap.alloc(cap);
    outputCap = cap;
  }
  outputAt = outputPtr;
  return outputPtr;
}

/** outputPointer is what nrdot_output_ptr returns. */
export function outputPointer(): usize {
  return outputAt;
}

/** outputString copies s as UTF-8 into the output region and returns its length. */
export function outputString(s: string): i32 {
  const b = String.UTF8.encode(s);
  const n = b.byteLength;
  memory.copy(outputBuffer(n), changetype<usize>(b), <usize>n);
  return n;
}

/** fail records message for nrdot_error and returns status, so callers `return fail(...)`. */
export function fail(status: i32, message: string): i32 {
  lastError = message;
  return status;
}

export function errorMessage(): string {
  return lastError;
}
