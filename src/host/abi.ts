// Constants of the NRDOT WASM ABI v1 (docs/reference/abi.md).
export const ABI_VERSION = 1;

export const Status = { OK: 0, BAD_CONFIG: 1, BAD_TABLE: 2, BAD_SNAPSHOT: 3, INTERNAL: 4 } as const;

export const ACTIONS = ["keep", "drop", "rollup"] as const;
export type Action = (typeof ACTIONS)[number];

/** Tier names by code; code 0 is "unset" and written as "". */
export const TIERS = ["", "critical", "important", "standard", "sampled"] as const;
export type Tier = (typeof TIERS)[number];

export interface Decision {
  action: Action;
  tier: Tier;
  /** NaN when the module gives no score. */
  score: number;
  /** set when the module's record used codes ABI v1 does not have; the row stays unchanged. */
  invalid?: true;
}

export const DECISION_SIZE = 16;
export const HOST_MODULE = "nrdot";
export const HOST_FUNCTIONS = ["log", "now_ms", "memory_pressure"] as const;
export const REQUIRED_EXPORTS = [
  "nrdot_abi_version", "nrdot_buffer", "nrdot_output_ptr", "nrdot_configure", "nrdot_columns",
  "nrdot_process", "nrdot_snapshot", "nrdot_restore", "nrdot_error",
] as const;
