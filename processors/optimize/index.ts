// optimize: stateful scoring, top-K with hysteresis and roll-up, degradation under memory
// pressure. This file exports the ABI only (docs/reference/abi.md); the policy is in select.ts.
import { STATUS_BAD_CONFIG, STATUS_BAD_SNAPSHOT, STATUS_INTERNAL, STATUS_OK, fail, inMemory, outputBuffer, outputString } from "../lib/abi";
import { memoryPressure } from "../lib/host";
import { utf8 } from "../lib/json";
import { declareRollup, processRollup } from "../lib/rollup";
import { Table } from "../lib/table";
import { Config, parseConfig } from "./config";
import { NUM_COLS, STR_COLS, columnsFor, optimize } from "./select";
import { State, readSnapshot, snapshotSize, writeSnapshot } from "./state";

export { nrdot_abi_version, nrdot_buffer, nrdot_output_ptr, nrdot_error, nrdot_rollup } from "../lib/exports";

// Rows this module rolls up become one "other" per host (lib/rollup.ts).
declareRollup(processRollup());

let config: Config = parseConfig("{}");
const state = new State();
const table = new Table();

export function nrdot_configure(ptr: usize, len: i32): i32 {
  if (!inMemory(ptr, len)) return fail(STATUS_BAD_CONFIG, "config: the bytes given lie outside the module's memory");
  const c = parseConfig(utf8(ptr, len));
  if (c.error.length > 0) return fail(STATUS_BAD_CONFIG, c.error);
  config = c;
  return STATUS_OK;
}

export function nrdot_columns(): i32 {
  return outputString(columnsFor(config));
}

export function nrdot_process(ptr: usize, len: i32): i32 {
  const st = table.load(ptr, len, STR_COLS, NUM_COLS);
  if (st != STATUS_OK) return st;
  optimize(table, config, state, memoryPressure());
  return STATUS_OK;
}

export function nrdot_snapshot(): i32 {
  const n = snapshotSize(state);
  const p = outputBuffer(n);
  if (p == 0) return -fail(STATUS_INTERNAL, "snapshot: no memory left for " + n.toString() + " bytes");
  writeSnapshot(state, p);
  return n;
}

export function nrdot_restore(ptr: usize, len: i32): i32 {
  const err = readSnapshot(state, ptr, len);
  return err.length == 0 ? STATUS_OK : fail(STATUS_BAD_SNAPSHOT, err);
}

