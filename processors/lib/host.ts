// Imports from the host module "nrdot" (docs/reference/abi.md, "Provided by the host"), and
// logging on top of them. The guest's abort is in rt/abort.ts.

// @ts-ignore: decorator
@external("nrdot", "log")
export declare function hostLog(level: i32, ptr: usize, len: i32): void;

// @ts-ignore: decorator
@external("nrdot", "now_ms")
export declare function nowMs(): f64;

// @ts-ignore: decorator
@external("nrdot", "memory_pressure")
export declare function memoryPressure(): f64;

// @ts-ignore: decorator
@external("nrdot", "report_gauge")
export declare function hostReportGauge(namePtr: usize, nameLen: i32, value: f64): void;

export const LOG_DEBUG: i32 = 0;
export const LOG_INFO: i32 = 1;
export const LOG_WARN: i32 = 2;
export const LOG_ERROR: i32 = 3;

// Messages and gauge names are encoded into this static buffer, so logging and reporting never
// allocate (a longer message is cut at a code point boundary). The host reads it before the
// import returns, so one buffer serves both.
const LOG_CAP: i32 = 2048;
const LOG_BUF: usize = memory.data(2048);

/** encodeInto writes s as UTF-8 at dst (cap bytes of room), cutting it to fit; returns the bytes written. */
export function encodeInto(s: string, dst: usize, cap: i32): i32 {
  let units = s.length;
  // A UTF-16 unit never takes more than 3 bytes (a surrogate pair: 4 bytes for 2 units).
  if (units * 3 > cap) {
    const need = String.UTF8.byteLength(s);
    if (need > cap) units = cap / 3;
  }
  if (units <= 0) return 0;
  return <i32>String.UTF8.encodeUnsafe(changetype<usize>(s), units, dst);
}

/** log sends message to the collector's logger at level (LOG_DEBUG … LOG_ERROR). */
export function log(level: i32, message: string): void {
  hostLog(level, LOG_BUF, encodeInto(message, LOG_BUF, LOG_CAP));
}

/**
 * reportGauge sets the host's gauge `name` to value (nrdot.report_gauge): the host exports the
 * names it knows (docs/reference/abi.md, "nrdot.report_gauge") and ignores the others.
 */
export function reportGauge(name: string, value: f64): void {
  hostReportGauge(LOG_BUF, encodeInto(name, LOG_BUF, LOG_CAP), value);
}

/** GAUGE_DEGRADATION_LEVEL: 0 none, n = index + 1 of the highest degradation level in force. */
export const GAUGE_DEGRADATION_LEVEL = "degradation_level";
