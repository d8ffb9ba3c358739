// classify: importance tier and score per process from rules and a built-in catalog.
// This file exports the ABI only (docs/reference/abi.md); the policy is in ../lib/policy.ts, its
// table in rows.ts.
import { STATUS_BAD_CONFIG, STATUS_BAD_SNAPSHOT, STATUS_OK, fail, inMemory, outputString } from "../lib/abi";
import { utf8 } from "../lib/json";
import { declareRollup, processRollup } from "../lib/rollup";
import { Table } from "../lib/table";
import { Policy, parsePolicy } from "../lib/policy";
import { COLUMNS, NUM_COLS, STR_COLS, classifyRows } from "./rows";

export { nrdot_abi_version, nrdot_buffer, nrdot_output_ptr, nrdot_error, nrdot_rollup } from "../lib/exports";

// Rows this module rolls up become one "other" per host (lib/rollup.ts).
declareRollup(processRollup());

// Built on first use, so instantiating the module stays cheap (the host re-instantiates after a
// trap); nrdot_configure replaces it.
let policy: Policy | null = null;
const table = new Table();

export function nrdot_configure(ptr: usize, len: i32): i32 {
  if (!inMemory(ptr, len)) return fail(STATUS_BAD_CONFIG, "config: the bytes given lie outside the module's memory");
  const p = parsePolicy(utf8(ptr, len));
  if (p.error.length > 0) return fail(STATUS_BAD_CONFIG, p.error);
  policy = p;
  return STATUS_OK;
}

export function nrdot_columns(): i32 {
  return outputString(COLUMNS);
}

export function nrdot_process(ptr: usize, len: i32): i32 {
  const st = table.load(ptr, len, STR_COLS, NUM_COLS);
  if (st != STATUS_OK) return st;
  let p = policy;
  if (p === null) policy = p = parsePolicy("{}");
  classifyRows(table, p);
  return STATUS_OK;
}

// classify keeps no state between batches: its snapshot is empty.
export function nrdot_snapshot(): i32 {
  return 0;
}

export function nrdot_restore(ptr: usize, len: i32): i32 {
  return len == 0 ? STATUS_OK : fail(STATUS_BAD_SNAPSHOT, "classify keeps no state; its snapshot is empty, got " + len.toString() + " bytes");
}
