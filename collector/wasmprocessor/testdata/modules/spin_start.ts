// A test guest whose start function (AssemblyScript's top-level code) never returns: creating
// the processor must fail at call_timeout, not hang.
let spins: u64 = 1;
while (spins != 0) spins++;
export function nrdot_abi_version(): i32 { return 2; }
export function nrdot_buffer(size: i32): usize { return heap.alloc(<usize>size); }
export function nrdot_output_ptr(): usize { return 0; }
export function nrdot_configure(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_columns(): i32 { return 0; }
export function nrdot_rollup(): i32 { return 0; }
export function nrdot_process(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_snapshot(): i32 { return 0; }
export function nrdot_restore(ptr: usize, len: i32): i32 { return 0; }
export function nrdot_error(): i32 { return 0; }
