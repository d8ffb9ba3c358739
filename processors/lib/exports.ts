// The ABI exports every processor shares; a processor's index.ts re-exports them:
//   export { nrdot_abi_version, nrdot_buffer, nrdot_output_ptr, nrdot_error } from "../lib/exports";
import { ABI_VERSION, errorMessage, inputBuffer, outputPointer, outputString } from "./abi";

export function nrdot_abi_version(): i32 {
  return ABI_VERSION;
}

export function nrdot_buffer(size: i32): usize {
  return inputBuffer(size);
}

export function nrdot_output_ptr(): usize {
  return outputPointer();
}

export function nrdot_error(): i32 {
  return outputString(errorMessage());
}
