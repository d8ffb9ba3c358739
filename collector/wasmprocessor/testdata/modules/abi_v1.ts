// A test guest of ABI v1: it lacks nrdot_rollup, so a v2 host must refuse it before asking its
// version.
export function nrdot_abi_version(): i32 { return 1; }
export function nrdot_buffer(size: i32): usize { return heap.alloc(<usize>size); }
export function nrdot_output_ptr(): usize { return 0; }
export function nrdot_configure(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_columns(): i32 { return 0; }
export function nrdot_process(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_snapshot(): i32 { return 0; }
export function nrdot_restore(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_error(): i32 { return 0; }
