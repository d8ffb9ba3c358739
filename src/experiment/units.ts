// What each arm did in each unit of an experiment: one host in one interval (one scrape), measured
// against the unoptimized scrape of that host in that interval. The definitions are in
// docs/experiments/framework.md; the readings reuse src/host/totals.ts.
import { attributeSetKey } from "../host/apply.ts";
import { points, type MetricsData, type ResourceMetrics } from "../host/otlp.ts";
import { cost, exportIdentity, hostName, intervalTotals, memoryOf, resourceAttr } from "../host/totals.ts";

export const ARMS = ["control", "treatment"] as const;
export type Arm = (typeof ARMS)[number];

export interface ArmUnit {
  points: number;
  /** OTLP protobuf, gzip, of this host's resources in this scrape */
  bytes: number;
  /** series first exported in this unit (their sum over a host's units is its active series) */
  series: number;
  /** relative error of the host's CPU seconds and memory bytes against the scrape (0 when it used none) */
  cpuError: number;
  memoryError: number;
  /** of the true top-N by CPU and by memory, how many were kept (a process in both counts twice) */
  topKept: number;
  topTotal: number;
  /** of the critical processes in the scrape, how many were kept */
  criticalKept: number;
  criticalTotal: number;
}

export interface Unit {
  /** which --input (one recording per host, usually) */
  input: number;
  host: string;
  interval: number;
  recorded: { points: number; bytes: number; series: number; cpu: number; memory: number };
  arms: Record<Arm, ArmUnit>;
}

/** A new hog: a process that enters its host's true top-N (by CPU or memory) in some interval. */
export interface Hog {
  input: number;
  host: string;
  process: string;
  /** the interval it entered the top-N */
  entered: number;
  /** intervals until the arm first kept it (0: kept at once); null: never kept while it ran */
  latency: Record<Arm, number | null>;
  /** intervals it was seen from entering (a latency above this could not be observed) */
  seen: number;
}

/** byHost splits a batch by host.name, keeping the order of first appearance. */
export function byHost(b: MetricsData | undefined): Map<string, ResourceMetrics[]> {
  const out = new Map<string, ResourceMetrics[]>();
  for (const rm of b?.resourceMetrics ?? []) {
    const h = hostName(rm);
    let l = out.get(h);
    if (!l) out.set(h, (l = []));
    l.push(rm);
  }
  return out;
}

const isRollup = (rm: ResourceMetrics) => resourceAttr(rm, "nrdot.rollup") === "true";

/** processKey is who a resource is within a scrape: host and pid ("" for a resource without a pid). */
export function processKey(rm: ResourceMetrics): string {
  const pid = resourceAttr(rm, "process.pid");
  return pid === undefined ? "" : `${hostName(rm)}|${pid}`;
}

/** kept is the processes an arm exported on their own (not rolled into `other`) in one batch. */
function kept(b: MetricsData | undefined): Set<string> {
  const s = new Set<string>();
  for (const rm of b?.resourceMetrics ?? []) if (!isRollup(rm)) { const k = processKey(rm); if (k) s.add(k); }
  return s;
}

/**
 * perProcess is what each process used in each interval (CPU seconds, memory bytes), read as
 * intervalTotals reads a host: the same function, with every resource made its own "host".
 * Keys are processKey (host|pid).
 */
export function perProcess(recording: readonly MetricsData[]): { cpu: Map<string, number>; memory: Map<string, number> }[] {
  const ident = new Map<string, string>();
  const renamed = recording.map((b) => ({ resourceMetrics: b.resourceMetrics.filter((rm) => processKey(rm) !== "").map((rm) => {
    const id = exportIdentity(rm);
    ident.set(id, processKey(rm));
    const attributes = (rm.resource?.attributes ?? []).filter((a) => a.key !== "host.name");
    return { ...rm, resource: { ...rm.resource, attributes: [...attributes, { key: "host.name", value: { stringValue: id } }] } };
  }) }));
  return intervalTotals(renamed).map((m) => {
    const cpu = new Map<string, number>();
    const memory = new Map<string, number>();
    for (const [id, t] of m) {
      const k = ident.get(id)!;
      cpu.set(k, (cpu.get(k) ?? 0) + t.cpu);
      memory.set(k, (memory.get(k) ?? 0) + memoryOf(t));
    }
    return { cpu, memory };
  });
}

/** topN is the n processes that used the most (value > 0), ties broken by key. */
export function topN(values: Map<string, number>, n: number): string[] {
  return [...values].filter(([, v]) => v > 0).sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : 1)).slice(0, n).map(([k]) => k);
}

/** seriesKeys are a batch's series as cost() counts them: metric, resource attributes, point attributes. */
function seriesKeys(rms: readonly ResourceMetrics[]): Set<string> {
  const s = new Set<string>();
  for (const rm of rms) {
    const r = attributeSetKey(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const dp of points(m)) s.add(`${m.name}|${r}|${attributeSetKey(dp.attributes)}`);
  }
  return s;
}

const rel = (want: number, got: number) => (want === 0 ? 0 : Math.abs(got - want) / Math.abs(want));

/**
 * measure reads one recording (one batch per scrape) and each arm's output aligned to it.
 * critical holds, per interval, the processKeys that are truly critical (truth.ts).
 */
export function measure(input: number, recording: readonly MetricsData[], outputs: Record<Arm, readonly MetricsData[]>, critical: readonly Set<string>[], n: number): { units: Unit[]; hogs: Hog[] } {
  const want = intervalTotals(recording);
  const got = { control: intervalTotals(outputs.control), treatment: intervalTotals(outputs.treatment) };
  const usage = perProcess(recording);
  const seen: Record<Arm | "recorded", Map<string, Set<string>>> = { recorded: new Map(), control: new Map(), treatment: new Map() };
  const newSeries = (who: Arm | "recorded", host: string, rms: readonly ResourceMetrics[]) => {
    let s = seen[who].get(host);
    if (!s) seen[who].set(host, (s = new Set()));
    let k = 0;
    for (const x of seriesKeys(rms)) if (!s.has(x)) { s.add(x); k++; }
    return k;
  };
  const units: Unit[] = [];
  const tops: Set<string>[] = [];
  const keptBy: Record<Arm, Set<string>[]> = { control: [], treatment: [] };
  recording.forEach((batch, i) => {
    const hosts = byHost(batch);
    const outHosts = { control: byHost(outputs.control[i]), treatment: byHost(outputs.treatment[i]) };
    const top = new Set<string>();
    const cpuTop = topN(usage[i].cpu, n), memTop = topN(usage[i].memory, n);
    for (const k of [...cpuTop, ...memTop]) top.add(k);
    tops.push(top);
    for (const arm of ARMS) keptBy[arm].push(kept(outputs[arm][i]));
    for (const [host, rms] of hosts) {
      const w = want[i].get(host);
      const rec = cost([{ resourceMetrics: rms }]);
      // The host's true top-N and critical processes: the same for both arms.
      const inHost = (k: string) => k.startsWith(`${host}|`);
      const here = new Set(rms.map(processKey));
      const crit = [...(critical[i] ?? [])].filter((k) => inHost(k) && here.has(k));
      const topsHere = [...cpuTop, ...memTop].filter(inHost);
      const arms = {} as Record<Arm, ArmUnit>;
      for (const arm of ARMS) {
        const out = outHosts[arm].get(host) ?? [];
        const g = got[arm][i]?.get(host);
        const keep = keptBy[arm][i];
        const c = cost([{ resourceMetrics: out }]);
        arms[arm] = {
          points: c.points,
          bytes: c.bytes,
          series: newSeries(arm, host, out),
          cpuError: rel(w?.cpu ?? 0, g?.cpu ?? 0),
          memoryError: rel(w ? memoryOf(w) : 0, g ? memoryOf(g) : 0),
          topKept: topsHere.filter((k) => keep.has(k)).length,
          topTotal: topsHere.length,
          criticalKept: crit.filter((k) => keep.has(k)).length,
          criticalTotal: crit.length,
        };
      }
      units.push({ input, host, interval: i, recorded: { points: rec.points, bytes: rec.bytes, series: newSeries("recorded", host, rms), cpu: w?.cpu ?? 0, memory: w ? memoryOf(w) : 0 }, arms });
    }
  });
  // New hogs: in the top-N now, not in the interval before. The first interval's top is not new:
  // it was there before anyone looked.
  const hogs: Hog[] = [];
  tops.forEach((top, i) => {
    for (const k of top) {
      if (i === 0 || tops[i - 1].has(k)) continue;
      let last = i;
      while (last + 1 < recording.length && usage[last + 1].memory.has(k)) last++;
      const latency = {} as Record<Arm, number | null>;
      for (const arm of ARMS) {
        let l: number | null = null;
        for (let j = i; j <= last; j++) if (keptBy[arm][j].has(k)) { l = j - i; break; }
        latency[arm] = l;
      }
      hogs.push({ input, host: k.slice(0, k.lastIndexOf("|")), process: k, entered: i, latency, seen: last - i + 1 });
    }
  });
  return { units, hogs };
}
