// The ABI exports every processor shares; a processor's index.ts re-exports them:
//   export { nrdot_abi_version, nrdot_buffer, nrdot_output_ptr, nrdot_error, nrdot_rollup } from "../lib/exports";
// and declares its roll-up at start-up with declareRollup (lib/rollup.ts).
import { ABI_VERSION, inputBuffer, outputError, outputPointer } from "./abi";
import { outputRollup } from "./rollup";

/** nrdot_abi_version: the marker export; 2 for ABI v2. */
export function nrdot_abi_version(): i32 {
  return ABI_VERSION;
}

/** nrdot_buffer: an 8-byte aligned input buffer of at least size bytes; 0 when out of memory. */
export function nrdot_buffer(size: i32): usize {
  return inputBuffer(size);
}

/** nrdot_output_ptr: where the output of the last call starts. */
export function nrdot_output_ptr(): usize {
  return outputPointer();
}

/** nrdot_error: the length of the last error message, copied to the output (0 if none). */
export function nrdot_error(): i32 {
  return outputError();
}

/** nrdot_rollup: the length of the roll-up declaration (declareRollup), copied to the output. */
export function nrdot_rollup(): i32 {
  return outputRollup();
}
