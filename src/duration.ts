// Durations as the collector's configs and our flags write them: "500ms", "30s", "5m", "1h".
const PER_UNIT = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;

/** durationSeconds parses a duration, or returns undefined when d is not one. */
export function durationSeconds(d: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  return m ? Number(m[1]) * PER_UNIT[m[2] as keyof typeof PER_UNIT] : undefined;
}
