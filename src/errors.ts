// The one kind of error users see: what is wrong, where (file, YAML path, line), and what to do.
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly suggestion?: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** where formats a location: "profiles/x.yaml:12 (max_processes)". */
export function where(file: string, path?: string, line?: number): string {
  return `${file}${line ? `:${line}` : ""}${path ? ` (${path})` : ""}`;
}

/** closest returns the candidate within edit distance 2 of word, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
