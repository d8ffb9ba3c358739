// Memory limits of a generated agent, in the order docs/operations/memory.md explains: the
// optimizer sheds by memory pressure (0.6 .. 0.9 of its limit: low scores, then a fraction, then
// all but critical) strictly before the memory_limiter refuses whole scrapes, critical included.
//
//   heap  0 ........ 0.6·L ... 0.9·L (critical only) ..... L = M − M/8 (refuse) ... M (GC forced)
//
// M is the profile's memory_limit_mib; L, the memory_limiter's soft limit, is also the limit the
// optimizer's pressure is measured against (memory_pressure_limit_mib; scripts/run.sh sets
// GOMEMLIMIT to it too, so the GC works harder before the limiter refuses).

/** memoryLimiter: hard limit M, soft limit (where it refuses data) M − M/8. */
export function memoryLimiter(limitMib: number): Record<string, unknown> {
  return { check_interval: "1s", limit_mib: limitMib, spike_limit_mib: spikeMib(limitMib) };
}

export function spikeMib(limitMib: number): number {
  return Math.floor(limitMib / 8);
}

/** softLimitMib is where memory_limiter starts refusing data: the optimizer's pressure 1.0. */
export function softLimitMib(limitMib: number): number {
  return limitMib - spikeMib(limitMib);
}

/**
 * pressureLimit is the wasm processor's `memory_pressure_limit_mib` (collector/wasmprocessor):
 * the limit its memory pressure is relative to, set to the limiter's soft limit, so that the
 * pressure is the same in every deployment (not taken from GOMEMLIMIT or the cgroup) and every
 * degradation level below 1.0 applies before memory_limiter refuses.
 */
export function pressureLimit(limitMib: number): { memory_pressure_limit_mib: number } {
  return { memory_pressure_limit_mib: softLimitMib(limitMib) };
}
