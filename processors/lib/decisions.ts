// The per-row answer (docs/reference/abi.md, "Decision record"): 16 bytes per row in the output
// region, in table order.
//   0 u8 action | 1 u8 tier | 2 u16 reserved 0 | 4 u32 reserved 0 | 8 f64 score (NaN = none)
import { outputBuffer } from "./abi";
import { LOG_ERROR, log } from "./host";

export const ACTION_KEEP: u8 = 0;
export const ACTION_DROP: u8 = 1;
export const ACTION_ROLLUP: u8 = 2;

export const TIER_UNSET: u8 = 0;
export const TIER_CRITICAL: u8 = 1;
export const TIER_IMPORTANT: u8 = 2;
export const TIER_STANDARD: u8 = 3;
export const TIER_SAMPLED: u8 = 4;

/** TIER_NAMES lists the tier names in code order, for error messages. */
export const TIER_NAMES = "critical, important, standard, sampled";

export const RECORD_SIZE: i32 = 16;

let base: usize = 0;

/**
 * beginDecisions makes room for rows records in the output region; call it once per
 * nrdot_process, before decide. When memory cannot grow it logs and traps: under the stub
 * runtime only a new instance gets memory back, and after a trap the host passes the batch
 * through and makes one.
 */
export function beginDecisions(rows: i32): void {
  const p = outputBuffer(rows * RECORD_SIZE);
  if (p == 0) {
    log(LOG_ERROR, "out of memory for the decisions of " + rows.toString() + " rows");
    unreachable();
  }
  base = p;
}

/** decide writes row's record: action (ACTION_*), tier (TIER_*) and score (NaN for none). */
// @ts-ignore: decorator
@inline export function decide(row: i32, action: u8, tier: u8, score: f64): void {
  const at = base + (<usize>row << 4);
  store<u64>(at, <u64>action | (<u64>tier << 8));
  store<f64>(at, score, 8);
}

/** decisionsPtr is where beginDecisions put the records (tests read them back from here). */
export function decisionsPtr(): usize {
  return base;
}

/** tierFromName maps a tier name to its code, or TIER_UNSET for an unknown name. */
export function tierFromName(name: string): u8 {
  if (name == "critical") return TIER_CRITICAL;
  if (name == "important") return TIER_IMPORTANT;
  if (name == "standard") return TIER_STANDARD;
  if (name == "sampled") return TIER_SAMPLED;
  return TIER_UNSET;
}

/** tierScore is a tier's importance score when nothing more specific gives one (NaN for unset). */
export function tierScore(tier: u8): f64 {
  if (tier == TIER_CRITICAL) return 1.0;
  if (tier == TIER_IMPORTANT) return 0.8;
  if (tier == TIER_STANDARD) return 0.5;
  if (tier == TIER_SAMPLED) return 0.2;
  return NaN;
}

/** tierFromBytes is tierFromName for the len UTF-8 bytes at p, without decoding them. */
export function tierFromBytes(p: usize, len: i32): u8 {
  if (len == 8 && load<u64>(p) == 0x6c61636974697263) return TIER_CRITICAL; // "critical"
  if (len == 9 && load<u64>(p) == 0x6e6174726f706d69 && load<u8>(p, 8) == 0x74) return TIER_IMPORTANT; // "important"
  if (len == 8 && load<u64>(p) == 0x647261646e617473) return TIER_STANDARD; // "standard"
  if (len == 7 && load<u32>(p) == 0x706d6173 && load<u16>(p, 4) == 0x656c && load<u8>(p, 6) == 0x64) return TIER_SAMPLED; // "sampled"
  return TIER_UNSET;
}

/** tierName is the name of a tier code ("" for unset or unknown). */
export function tierName(tier: u8): string {
  if (tier == TIER_CRITICAL) return "critical";
  if (tier == TIER_IMPORTANT) return "important";
  if (tier == TIER_STANDARD) return "standard";
  if (tier == TIER_SAMPLED) return "sampled";
  return "";
}
