// classify: importance score and tier per process from rules and a built-in catalog.
// This file exports the ABI only (docs/reference/abi.md); the policy is in policy.ts.
import { STATUS_BAD_CONFIG, STATUS_BAD_SNAPSHOT, STATUS_OK, fail, outputString } from "../lib/abi";
import { ACTION_KEEP, beginDecisions, decide } from "../lib/decisions";
import { utf8 } from "../lib/json";
import { Table } from "../lib/table";
import { Policy, parsePolicy } from "./policy";

export { nrdot_abi_version, nrdot_buffer, nrdot_output_ptr, nrdot_error } from "../lib/exports";

const COLUMNS = "attr process.executable.name\nattr process.command_line\nattr process.owner\n";
const COL_EXE = 0;
const COL_CMD = 1;
const COL_OWNER = 2;

let policy: Policy = parsePolicy("{}");
const table = new Table();

export function nrdot_configure(ptr: usize, len: i32): i32 {
  const p = parsePolicy(utf8(ptr, len));
  if (p.error.length > 0) return fail(STATUS_BAD_CONFIG, p.error);
  policy = p;
  return STATUS_OK;
}

export function nrdot_columns(): i32 {
  return outputString(COLUMNS);
}

export function nrdot_process(ptr: usize, len: i32): i32 {
  const st = table.load(ptr, len, 3, 0);
  if (st != STATUS_OK) return st;
  const rows = table.rows;
  beginDecisions(rows);
  const rules = policy.rules;
  for (let r = 0; r < rows; r++) {
    const hit = policy.classify(
      table.strPtr(COL_EXE, r), table.strLen(COL_EXE, r),
      table.strPtr(COL_CMD, r), table.strLen(COL_CMD, r),
      table.strPtr(COL_OWNER, r), table.strLen(COL_OWNER, r));
    if (hit < 0) decide(r, ACTION_KEEP, policy.defaultTier, policy.defaultScore);
    else {
      const rule = unchecked(rules[hit]);
      decide(r, ACTION_KEEP, rule.tier, rule.score);
    }
  }
  return STATUS_OK;
}

// classify keeps no state between batches.
export function nrdot_snapshot(): i32 {
  return 0;
}

export function nrdot_restore(ptr: usize, len: i32): i32 {
  return len == 0 ? STATUS_OK : fail(STATUS_BAD_SNAPSHOT, "classify keeps no state; snapshot must be empty");
}

