// The per-row answer (docs/reference/abi.md, "Decision record"): 16 bytes per row in the output
// region.
import { outputBuffer } from "./abi";

export const ACTION_KEEP: u8 = 0;
export const ACTION_DROP: u8 = 1;
export const ACTION_ROLLUP: u8 = 2;

export const TIER_UNSET: u8 = 0;
export const TIER_CRITICAL: u8 = 1;
export const TIER_IMPORTANT: u8 = 2;
export const TIER_STANDARD: u8 = 3;
export const TIER_SAMPLED: u8 = 4;

const RECORD: usize = 16;

let base: usize = 0;

/** beginDecisions makes room for rows records in the output region. */
export function beginDecisions(rows: i32): void {
  base = outputBuffer(rows * <i32>RECORD);
}

/** decide writes row's record. */
@inline export function decide(row: i32, action: u8, tier: u8, score: f64): void {
  const at = base + <usize>row * RECORD;
  store<u64>(at, <u64>action | (<u64>tier << 8));
  store<f64>(at, score, 8);
}

/** tierFromName maps a tier name to its code, or TIER_UNSET for an unknown name. */
export function tierFromName(name: string): u8 {
  if (name == "critical") return TIER_CRITICAL;
  if (name == "important") return TIER_IMPORTANT;
  if (name == "standard") return TIER_STANDARD;
  if (name == "sampled") return TIER_SAMPLED;
  return TIER_UNSET;
}
