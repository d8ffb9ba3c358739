// Memory limits of a generated agent, in the order docs/operations/memory.md explains: the
// optimizer sheds by memory pressure (0.6 .. 0.9 of its limit: low scores, then a fraction, then
// all but critical) strictly before the memory_limiter refuses whole scrapes, critical included.
//
//   heap  0 ........ 0.6·L ... 0.9·L (critical only) ..... L = M − M/8 (refuse) ... M (GC forced)
//
// M is the profile's memory_limit_mib; L, the memory_limiter's soft limit, is also the limit the
// optimizer's pressure is measured against (scripts/run.sh sets GOMEMLIMIT to it).

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
 * PRESSURE_KEY is the wasm processor's setting for the limit its memory pressure is measured
 * against (collector/wasmprocessor/config.go), or undefined while the processor has none: its
 * pressure is then live heap ÷ GOMEMLIMIT, which scripts/run.sh sets to softLimitMib.
 */
export const PRESSURE_KEY: string | undefined = undefined;

/** pressureLimit is the wasm processor's key for its pressure's limit, when it has one. */
export function pressureLimit(limitMib: number): Record<string, number> {
  return PRESSURE_KEY ? { [PRESSURE_KEY]: softLimitMib(limitMib) } : {};
}
