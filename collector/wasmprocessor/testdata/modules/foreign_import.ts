// A test guest that imports env.seed (as a default AssemblyScript build would): the host must
// refuse it, naming the import.
@external("env", "seed")
declare function seed(): f64;
export function nrdot_abi_version(): i32 { return <i32>seed(); }
export function nrdot_buffer(size: i32): usize { return heap.alloc(<usize>size); }
export function nrdot_output_ptr(): usize { return 0; }
export function nrdot_configure(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_columns(): i32 { return 0; }
export function nrdot_rollup(): i32 { return 0; }
export function nrdot_process(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_snapshot(): i32 { return 0; }
export function nrdot_restore(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_error(): i32 { return 0; }
