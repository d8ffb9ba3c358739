// What `nrdot status` shows, computed from one scrape of a collector's telemetry (counters since
// it started) or from two (the difference over the time between them).
import { buckets, max, quantile, select, sum, type Bucket, type Scrape } from "./prom.ts";
import { M } from "./telemetry.ts";

export interface ExporterStatus {
  exporter: string;
  /** data points sent and refused by the destination in the window, per minute */
  sentPerMinute: number;
  failedPerMinute: number;
  failed: number;
  /** points the queue refused because it was full, in the window (undefined: never happened) */
  enqueueFailed?: number;
  queueSize?: number;
  queueCapacity?: number;
}

export interface Status {
  endpoint: string;
  /** how the rates were taken: "since start" (one read; uptime) or "between reads" (two reads) */
  window: { kind: "since start" | "between reads"; seconds: number };
  processor: string;
  /** false when the endpoint has no telemetry of the processor (not an nrdot agent, or idle) */
  found: boolean;
  pointsIn: number;
  pointsOut: number;
  pointsInPerMinute: number;
  pointsOutPerMinute: number;
  /** 1 - out/in of the processor's data points; undefined with nothing in */
  ratio?: number;
  /** price per million data points and what 30 days at the window's rate cost, without and with the processor */
  price: number;
  monthlyCost: { before: number; after: number };
  batches: number;
  /** processes per batch (one batch per scrape on an agent) */
  processes: { in?: number; kept?: number; rolledUp?: number; dropped?: number; passedThrough?: number };
  /** undefined: the collector does not export it (yet) */
  pressure?: number;
  degradationLevel?: number;
  breakerOpen?: boolean;
  breakerTransitions?: number;
  traps: number;
  deadlines?: number;
  moduleErrors: number;
  stateResets?: number;
  exporters: ExporterStatus[];
  p99Ms?: number;
  uptimeSeconds?: number;
  memoryRssBytes?: number;
}

/** delta is cur - prev of a counter (cur alone after a restart, when it went down). */
function delta(cur: number | undefined, prev: number | undefined): number {
  if (cur === undefined) return 0;
  if (prev === undefined || cur < prev) return cur;
  return cur - prev;
}

function bucketDelta(cur: Bucket[], prev: Bucket[] | undefined): Bucket[] {
  if (!prev) return cur;
  const p = new Map(prev.map((b) => [b.le, b.count]));
  const d = cur.map((b) => ({ le: b.le, count: b.count - (p.get(b.le) ?? 0) }));
  return d.some((b) => b.count < 0) ? cur : d;
}

export interface SummaryOptions { endpoint: string; processor: string; price: number }

/**
 * summarize computes the status. With prev, rates are over elapsedSeconds between the reads;
 * without, over the collector's uptime (otelcol_process_uptime).
 */
export function summarize(cur: Scrape, prev: Scrape | undefined, elapsedSeconds: number | undefined, o: SummaryOptions): Status {
  const proc = { processor: o.processor };
  const c = (name: string, m: Record<string, string> = proc) => delta(sum(cur, name, m), prev && sum(prev, name, m));
  // A processor that exports the contract's breaker gauge adds its counters on their first
  // event: absent means none yet. An older one does not have them: "not exported".
  const contract = max(cur, M.breakerOpen, proc) !== undefined;
  const opt = (name: string, m: Record<string, string> = proc) => (sum(cur, name, m) === undefined && !(contract && m === proc) ? undefined : c(name, m));
  const uptime = sum(cur, M.uptime);
  const seconds = prev ? elapsedSeconds ?? 0 : uptime ?? 0;
  const perMinute = (n: number) => (seconds > 0 ? (n / seconds) * 60 : 0);
  const pointsIn = c(M.incoming);
  const pointsOut = c(M.outgoing);
  const batches = delta(sum(cur, `${M.callDuration}_count`, proc), prev && sum(prev, `${M.callDuration}_count`, proc));
  const perBatch = (n: number | undefined) => (n === undefined || batches === 0 ? undefined : n / batches);
  const monthly = (points: number) => perMinute(points) * 60 * 24 * 30 / 1e6 * o.price;

  const exporterNames = [...new Set([M.sent, M.sendFailed, M.queueSize].flatMap((n) => select(cur, n).map((s) => s.labels.exporter)))].filter((e) => e !== undefined).sort();
  const exporters = exporterNames.map((exporter): ExporterStatus => {
    const e = { exporter };
    const failed = c(M.sendFailed, e);
    return {
      exporter,
      sentPerMinute: perMinute(c(M.sent, e)),
      failedPerMinute: perMinute(failed),
      failed,
      enqueueFailed: opt(M.enqueueFailed, e),
      queueSize: sum(cur, M.queueSize, e),
      queueCapacity: sum(cur, M.queueCapacity, e),
    };
  });
  const breaker = max(cur, M.breakerOpen, proc);
  return {
    endpoint: o.endpoint,
    window: { kind: prev ? "between reads" : "since start", seconds },
    processor: o.processor,
    found: sum(cur, M.incoming, proc) !== undefined,
    pointsIn,
    pointsOut,
    pointsInPerMinute: perMinute(pointsIn),
    pointsOutPerMinute: perMinute(pointsOut),
    ratio: pointsIn > 0 ? 1 - pointsOut / pointsIn : undefined,
    price: o.price,
    monthlyCost: { before: monthly(pointsIn), after: monthly(pointsOut) },
    batches,
    processes: {
      in: perBatch(opt(M.rowsIn)),
      kept: perBatch(opt(M.rowsKept)),
      rolledUp: perBatch(opt(M.rowsRolledUp)),
      dropped: perBatch(opt(M.rowsDropped)),
      passedThrough: perBatch(opt(M.rowsPassedThrough)),
    },
    pressure: max(cur, M.pressure, proc),
    degradationLevel: max(cur, M.degradationLevel, proc),
    breakerOpen: breaker === undefined ? undefined : breaker > 0,
    breakerTransitions: opt(M.breakerTransitions),
    traps: c(M.traps),
    deadlines: opt(M.deadlines),
    moduleErrors: c(M.moduleErrors),
    stateResets: opt(M.stateResets),
    exporters,
    p99Ms: quantile(0.99, bucketDelta(buckets(cur, M.callDuration, proc), prev && buckets(prev, M.callDuration, proc))),
    uptimeSeconds: uptime,
    memoryRssBytes: sum(cur, M.rss),
  };
}

function duration(s: number): string {
  s = Math.round(s);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

const num = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2).replace(/\.?0+$/, "") || "0");
const usd = (n: number) => `$${n.toFixed(2)}`;
const opt = (n: number | undefined, f: (n: number) => string = num) => (n === undefined ? "not exported" : f(n));

/** format is the text form: one line per concern, labels in the first column. */
export function format(s: Status): string {
  const rows: [string, string][] = [];
  const w = s.window.kind === "since start" ? `counters since the collector started (${duration(s.window.seconds)} ago)` : `difference of two reads ${duration(s.window.seconds)} apart`;
  rows.push(["window", w]);
  if (!s.found) {
    rows.push(["optimizer", `no ${M.incoming}{processor="${s.processor}"}: not an nrdot agent, or no scrape has reached ${s.processor} yet`]);
  } else {
    rows.push(["optimization", s.ratio === undefined ? "no data points in the window" : `${(s.ratio * 100).toFixed(1)}% fewer data points (${s.processor}: ${s.pointsIn} in, ${s.pointsOut} out)`]);
    rows.push(["points/minute", `in ${num(s.pointsInPerMinute)}, out ${num(s.pointsOutPerMinute)}`]);
    rows.push(["monthly cost", `${usd(s.monthlyCost.after)} at ${usd(s.price)} per million points (${usd(s.monthlyCost.before)} without the optimizer; 30 days at this rate)`]);
    const p = s.processes;
    rows.push(["processes", s.batches === 0 ? "no batch in the window" : `per batch: ${opt(p.in)} in, ${opt(p.kept)} kept, ${opt(p.rolledUp)} rolled up, ${opt(p.dropped)} dropped, ${opt(p.passedThrough)} passed through (${s.batches} batches)`]);
    const level = s.degradationLevel === undefined ? "level not exported" : s.degradationLevel === 0 ? "level none" : `level ${s.degradationLevel}`;
    rows.push(["degradation", `memory pressure ${opt(s.pressure, (n) => n.toFixed(2))}, ${level}`]);
    const breaker = s.breakerOpen === undefined ? "breaker not exported" : s.breakerOpen ? "breaker OPEN (rows pass through unoptimized)" : "breaker closed";
    rows.push(["breaker", `${breaker}; traps ${s.traps}, deadlines ${opt(s.deadlines)}, module errors ${s.moduleErrors}, state resets ${opt(s.stateResets)}`]);
    rows.push(["p99 latency", s.p99Ms === undefined ? "no batch in the window" : `${s.p99Ms.toFixed(2)} ms per batch (table, module and apply)`]);
  }
  if (s.exporters.length === 0) rows.push(["exporters", "none exported telemetry"]);
  for (const e of s.exporters) {
    const q = e.queueSize === undefined ? "no sending queue" : `queue ${e.queueSize}/${e.queueCapacity ?? "?"}`;
    const enq = e.enqueueFailed ? `, ${e.enqueueFailed} refused by a full queue` : "";
    rows.push([`exporter ${e.exporter}`, `sent ${num(e.sentPerMinute)}/min, failed ${num(e.failedPerMinute)}/min (${e.failed} points${enq}), ${q}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const up = s.uptimeSeconds === undefined ? "" : `, up ${duration(s.uptimeSeconds)}`;
  const mem = s.memoryRssBytes === undefined ? "" : `, ${(s.memoryRssBytes / 2 ** 20).toFixed(0)} MiB RSS`;
  return `nrdot status: ${s.endpoint}${up}${mem}\n` + rows.map(([k, v]) => `  ${k.padEnd(width)}${v}\n`).join("");
}
