// Constants and types of the NRDOT WASM ABI v2 (docs/reference/abi.md).

/** ABI_VERSION is what nrdot_abi_version must return for this host to accept a module. */
export const ABI_VERSION = 2;

/** TABLE_VERSION is the table layout's own version field: still 1 under ABI v2. */
export const TABLE_VERSION = 1;

/** Status codes returned by nrdot_configure, nrdot_process, nrdot_restore (negated by nrdot_snapshot). */
export const Status = { OK: 0, BAD_CONFIG: 1, BAD_TABLE: 2, BAD_SNAPSHOT: 3, INTERNAL: 4 } as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

/** STATUS_NAMES indexes the status codes: STATUS_NAMES[2] is "BAD_TABLE". */
export const STATUS_NAMES = ["OK", "BAD_CONFIG", "BAD_TABLE", "BAD_SNAPSHOT", "INTERNAL"] as const;

/** statusName names a status code, or says that the code is not one of the ABI's. */
export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `unknown status ${code}`;
}

/** ACTIONS indexes the action codes of a decision record: 0 keep, 1 drop, 2 roll up into "other". */
export const ACTIONS = ["keep", "drop", "rollup"] as const;
export type Action = (typeof ACTIONS)[number];

/** TIERS indexes the tier codes of a decision record; code 0 is unset and named "". */
export const TIERS = ["", "critical", "important", "standard", "sampled"] as const;
export type Tier = (typeof TIERS)[number];

/** Decision is one decoded decision record. */
export interface Decision {
  action: Action;
  tier: Tier;
  /** score is NaN when the module gives no score. */
  score: number;
  /** invalid is set when the record used codes the ABI does not have; the row stays unchanged. */
  invalid?: true;
}

/** TABLE_HEADER_SIZE is the size of the table header: version, R, S, N as u32. */
export const TABLE_HEADER_SIZE = 16;
/** DECISION_SIZE is the size of one decision record. */
export const DECISION_SIZE = 16;

/** HOST_MODULE is the only import module a guest may use. */
export const HOST_MODULE = "nrdot";

/** ValType is a WebAssembly value type, as written in signatures. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

/** Signature is a function type: parameter and result types. */
export interface Signature {
  params: readonly ValType[];
  results: readonly ValType[];
}

const i32 = "i32";
const f64 = "f64";

/** HOST_FUNCTIONS are the functions of import module "nrdot", with their signatures. */
export const HOST_FUNCTIONS: Readonly<Record<string, Signature>> = {
  log: { params: [i32, i32, i32], results: [] },
  now_ms: { params: [], results: [f64] },
  memory_pressure: { params: [], results: [f64] },
  report_gauge: { params: [i32, i32, f64], results: [] },
};

/**
 * GAUGE_DEGRADATION_LEVEL is the gauge a module reports its degradation level in (0 none, n =
 * index + 1 of the highest level in force): nrdot.report_gauge, docs/reference/abi.md.
 */
export const GAUGE_DEGRADATION_LEVEL = "degradation_level";

/** REQUIRED_EXPORTS are the functions every module exports, with their signatures. */
export const REQUIRED_EXPORTS = {
  nrdot_abi_version: { params: [], results: [i32] },
  nrdot_buffer: { params: [i32], results: [i32] },
  nrdot_output_ptr: { params: [], results: [i32] },
  nrdot_configure: { params: [i32, i32], results: [i32] },
  nrdot_columns: { params: [], results: [i32] },
  nrdot_rollup: { params: [], results: [i32] },
  nrdot_process: { params: [i32, i32], results: [i32] },
  nrdot_snapshot: { params: [], results: [i32] },
  nrdot_restore: { params: [i32, i32], results: [i32] },
  nrdot_error: { params: [], results: [i32] },
} as const satisfies Record<string, Signature>;
export type ExportName = keyof typeof REQUIRED_EXPORTS;
