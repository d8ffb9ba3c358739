// The Prometheus text exposition format (0.0.4), as the collector's own telemetry endpoint serves
// it: enough of a parser for `nrdot status` and the monitoring tests, no dependency.

export interface Sample {
  /** the series name as exposed, e.g. otelcol_processor_wasm_call_duration_bucket */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  /** # TYPE lines: metric family name -> counter, gauge, histogram, summary, untyped */
  types: Map<string, string>;
}

/** parseText reads an exposition; a malformed line throws with its line number. */
export function parseText(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1], m[2]);
      continue;
    }
    try {
      samples.push(parseSample(line));
    } catch (e) {
      throw new Error(`line ${i + 1}: ${(e as Error).message}: ${line.slice(0, 120)}`);
    }
  }
  return { samples, types };
}

function parseSample(line: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!m) throw new Error("expected a metric name");
  const name = m[1];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === "{") {
    pos++;
    for (;;) {
      while (line[pos] === " " || line[pos] === ",") pos++;
      if (line[pos] === "}") {
        pos++;
        break;
      }
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(pos));
      if (!l) throw new Error("expected a label");
      pos += l[0].length;
      let v = "";
      for (;;) {
        const c = line[pos++];
        if (c === undefined) throw new Error("unterminated label value");
        if (c === '"') break;
        if (c === "\\") {
          const n = line[pos++];
          v += n === "n" ? "\n" : n;
        } else v += c;
      }
      labels[l[1]] = v;
    }
  }
  const rest = line.slice(pos).trim().split(/\s+/);
  const value = parseValue(rest[0]);
  return { name, labels, value };
}

function parseValue(s: string | undefined): number {
  if (s === undefined || s === "") throw new Error("expected a value");
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (s === "NaN") return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`${s}: not a number`);
  return v;
}

/** Matcher selects samples by exact label values. */
export type Matcher = Record<string, string>;

function matches(s: Sample, m: Matcher): boolean {
  for (const [k, v] of Object.entries(m)) if (s.labels[k] !== v) return false;
  return true;
}

/** select returns the samples of one series name that carry the matcher's labels. */
export function select(scrape: Scrape, name: string, m: Matcher = {}): Sample[] {
  return scrape.samples.filter((s) => s.name === name && matches(s, m));
}

/** sum adds the selected samples; undefined when there are none (not exported). */
export function sum(scrape: Scrape, name: string, m: Matcher = {}): number | undefined {
  const ss = select(scrape, name, m);
  return ss.length === 0 ? undefined : ss.reduce((a, s) => a + s.value, 0);
}

/** max of the selected samples; undefined when there are none. */
export function max(scrape: Scrape, name: string, m: Matcher = {}): number | undefined {
  const ss = select(scrape, name, m);
  return ss.length === 0 ? undefined : Math.max(...ss.map((s) => s.value));
}

/** names lists the distinct series names of a scrape. */
export function names(scrape: Scrape): Set<string> {
  return new Set(scrape.samples.map((s) => s.name));
}

/** Bucket is a cumulative histogram bucket: observations ≤ le. */
export interface Bucket { le: number; count: number }

/** buckets sums a histogram's _bucket series by `le` (over every other label), sorted by le. */
export function buckets(scrape: Scrape, histogram: string, m: Matcher = {}): Bucket[] {
  const byLe = new Map<number, number>();
  for (const s of select(scrape, `${histogram}_bucket`, m)) {
    const le = parseValue(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/**
 * quantile estimates the q-quantile of cumulative buckets as PromQL's histogram_quantile does:
 * linear interpolation inside the bucket the rank falls in (from 0 for the first bucket when its
 * bound is positive); in the +Inf bucket, the highest finite bound. undefined with no observations.
 */
export function quantile(q: number, bs: Bucket[]): number | undefined {
  if (bs.length < 2 || bs[bs.length - 1].le !== Infinity) return undefined;
  const total = bs[bs.length - 1].count;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let i = bs.findIndex((b) => b.count >= rank);
  if (i === bs.length - 1) return bs[bs.length - 2].le;
  let lower = 0;
  let below = 0;
  if (i > 0) {
    lower = bs[i - 1].le;
    below = bs[i - 1].count;
  } else if (bs[0].le <= 0) return bs[0].le;
  const inBucket = bs[i].count - below;
  if (inBucket <= 0) return bs[i].le;
  return lower + (bs[i].le - lower) * ((rank - below) / inBucket);
}
