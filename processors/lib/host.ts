// Imports from the host module "nrdot" (docs/reference/abi.md, "Provided by the host").

// @ts-ignore: decorator
@external("nrdot", "log")
export declare function hostLog(level: i32, ptr: usize, len: i32): void;

// @ts-ignore: decorator
@external("nrdot", "now_ms")
export declare function nowMs(): f64;

// @ts-ignore: decorator
@external("nrdot", "memory_pressure")
export declare function memoryPressure(): f64;

export const LOG_DEBUG: i32 = 0;
export const LOG_INFO: i32 = 1;
export const LOG_WARN: i32 = 2;
export const LOG_ERROR: i32 = 3;

/** log sends a message to the collector's logger. Not for hot paths: it encodes the string. */
export function log(level: i32, message: string): void {
  const b = String.UTF8.encode(message);
  hostLog(level, changetype<usize>(b), b.byteLength);
}

/**
 * nrdotAbort replaces AssemblyScript's `env.abort` import (asconfig.json `use`), so modules
 * import nothing but `nrdot`. It reports the failed assertion, then traps: the host passes the
 * batch through and re-creates the instance.
 */
export function nrdotAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let m = "abort: " + (message !== null ? message : "(no message)");
  if (fileName !== null) m += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  log(LOG_ERROR, m);
  unreachable();
}
