// The guest's abort (asconfig.json: `lib: ["processors/lib/rt"]`, `use: ["abort=nrdotAbort"]`).
// Files in this folder are compiled into every module built with asconfig.json (their exports
// become globals), so the abort is there even for a module that does not import the guest
// library, and no module imports `env.abort`.
//
// It must work when nothing else does: it allocates nothing, formats the message into a static
// buffer, sends it to `nrdot.log` at error level and traps. The host then discards the instance,
// passes the batch through and instantiates a new one (docs/reference/abi.md, "Lifecycle").

// @ts-ignore: decorator
@external("nrdot", "log")
declare function nrdotAbortLog(level: i32, ptr: usize, len: i32): void;

// @ts-ignore: decorator
@lazy const NRDOT_ABORT_CAP: i32 = 1024;
// @ts-ignore: decorator
@lazy const NRDOT_ABORT_BUF: usize = memory.data(1024);

/** nrdotAbortText appends up to a third of the room left of s as UTF-8; returns the new end. */
function nrdotAbortText(at: i32, s: string | null): i32 {
  if (s === null) return at;
  const units = min<i32>(s.length, (NRDOT_ABORT_CAP - 16 - at) / 3);
  if (units <= 0) return at;
  return at + <i32>String.UTF8.encodeUnsafe(changetype<usize>(s), units, NRDOT_ABORT_BUF + <usize>at);
}

/** nrdotAbortUint appends v in decimal; returns the new end. */
function nrdotAbortUint(at: i32, v: u32): i32 {
  let digits = 1;
  for (let t = v; t >= 10; t /= 10) digits++;
  if (at + digits > NRDOT_ABORT_CAP) return at;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(NRDOT_ABORT_BUF + <usize>(at + i), <u8>(0x30 + v % 10));
    v /= 10;
  }
  return at + digits;
}

/** nrdotAbortByte appends one ASCII byte; returns the new end. */
function nrdotAbortByte(at: i32, b: u8): i32 {
  if (at >= NRDOT_ABORT_CAP) return at;
  store<u8>(NRDOT_ABORT_BUF + <usize>at, b);
  return at + 1;
}

/**
 * nrdotAbort reports "abort: <message> at <file>:<line>:<column>" through nrdot.log (level 3,
 * error) and traps.
 */
export function nrdotAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let at = nrdotAbortText(0, "abort: ");
  at = nrdotAbortText(at, message !== null ? message : "(no message)");
  if (fileName !== null) {
    at = nrdotAbortText(at, " at ");
    at = nrdotAbortText(at, fileName);
    at = nrdotAbortByte(at, 0x3a); // :
    at = nrdotAbortUint(at, line);
    at = nrdotAbortByte(at, 0x3a);
    at = nrdotAbortUint(at, column);
  }
  nrdotAbortLog(3, NRDOT_ABORT_BUF, at);
  unreachable();
}
