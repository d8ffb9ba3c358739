// Decisions applied to a batch with the same semantics as the Go host's apply.go: keep marks the
// resource, drop removes it, roll up sums it into one resource per roll-up group, shaped as the
// module declared (nrdot_rollup).
import type { Decision } from "./abi.ts";
import { points, pointValue, valueString, type AnyValue, type KeyValue, type Metric, type NumberDataPoint, type ResourceMetrics, type ScopeMetrics } from "./otlp.ts";
import type { RollupDeclaration } from "./rollup.ts";

/** ATTR_TIER is the resource attribute the tier of a kept resource is written to. */
export const ATTR_TIER = "nrdot.tier";
/** COUNT_UNIT is the unit of the roll-up's count metric. */
export const COUNT_UNIT = "{process}";

const AGGREGATION_CUMULATIVE = 2;
const utf8 = new TextEncoder();

/**
 * Outcome counts what applyDecisions did; invalid decisions left their resource unchanged;
 * nonfinite is the NaN and infinite values left out of the roll-ups' sums.
 */
export interface Outcome { kept: number; dropped: number; rolledUp: number; invalid: number; nonfinite: number }

/** ApplyOptions are what the module declared and what the processor's config says. */
export interface ApplyOptions {
  /** the module's roll-up declaration (WasmModule.rollup()) */
  rollup: RollupDeclaration;
  /**
   * scoreAttribute is the resource attribute a kept resource's score is written to (the Go
   * processor's `score_attribute`); undefined or "" writes none, so a score that moves every
   * scrape does not make a new series every scrape.
   */
  scoreAttribute?: string;
  /** unsummable is told the name of every metric that kept a rolled-up resource in the output. */
  unsummable?: (metric: string) => void;
}

/**
 * applyDecisions applies one decision per resource, in order, and returns the resources that
 * remain, then one roll-up resource per group that had rows rolled up, in the order the groups
 * first appear. A rolled-up resource with metrics the roll-up cannot sum (summable) stays, with
 * only those. The input is not modified.
 */
export function applyDecisions(rms: readonly ResourceMetrics[], decisions: readonly Decision[], options: ApplyOptions): { resourceMetrics: ResourceMetrics[]; outcome: Outcome } {
  if (decisions.length !== rms.length) throw new Error(`${decisions.length} decisions for ${rms.length} resources`);
  const outcome: Outcome = { kept: 0, dropped: 0, rolledUp: 0, invalid: 0, nonfinite: 0 };
  const out: ResourceMetrics[] = [];
  const others = new Map<string, Rollup>();
  rms.forEach((rm, i) => {
    const d = decisions[i];
    if (d.invalid) {
      outcome.invalid++;
      out.push(rm);
    } else if (d.action === "drop") {
      outcome.dropped++;
    } else if (d.action === "rollup") {
      outcome.rolledUp++;
      const group = groupKey(rm, options.rollup.group);
      let other = others.get(group);
      if (!other) others.set(group, (other = new Rollup(rm, options.rollup)));
      other.add(rm);
      const rest = unsummableOnly(rm, options.unsummable);
      if (rest) out.push(mark(rest, d));
    } else {
      outcome.kept++;
      out.push(mark(rm, d, options.scoreAttribute));
    }
  });
  for (const other of others.values()) {
    outcome.nonfinite += other.nonfinite;
    out.push(other.resource());
  }
  return { resourceMetrics: out, outcome };
}

/** groupKey is one string per tuple of the group attributes' values (absent = ""), as in Go. */
function groupKey(rm: ResourceMetrics, keys: readonly string[]): string {
  const vals = keys.map((k) => {
    const kv = rm.resource?.attributes?.find((a) => a.key === k);
    return kv ? valueString(kv.value) : "";
  });
  return vals.length === 1 ? vals[0] : vals.map((v) => `${utf8.encode(v).length}:${v}`).join("");
}

/**
 * summable reports whether the roll-up sums the metric's points: gauges, delta sums and
 * non-monotonic cumulative sums (a sum of current values is a current value). A monotonic
 * cumulative sum is not (its sum drops whenever a process leaves the roll-up), nor a histogram,
 * exponential histogram or summary.
 */
export function summable(m: Metric): boolean {
  if (m.gauge) return true;
  if (m.sum) return !(m.sum.isMonotonic && m.sum.aggregationTemporality === AGGREGATION_CUMULATIVE);
  return !m.histogram && !m.exponentialHistogram && !m.summary; // a metric without data has nothing to keep
}

/**
 * unsummableOnly is a copy of a rolled-up resource with only the metrics the roll-up did not sum,
 * or undefined when there are none: those reach the backend as they are, or a counter would go
 * down (or a distribution be lost) when its process is rolled up.
 */
function unsummableOnly(rm: ResourceMetrics, told?: (metric: string) => void): ResourceMetrics | undefined {
  const scopeMetrics: ScopeMetrics[] = [];
  for (const sm of rm.scopeMetrics ?? []) {
    const metrics = (sm.metrics ?? []).filter((m) => !summable(m));
    for (const m of metrics) told?.(m.name);
    if (metrics.length > 0) scopeMetrics.push({ ...sm, metrics });
  }
  return scopeMetrics.length > 0 ? { ...rm, scopeMetrics } : undefined;
}

/**
 * attributeSetKey is equal for two attribute lists exactly when pcommon.Map.Equal says so: the
 * same keys in any order, with values of the same type and value.
 */
export function attributeSetKey(attrs: readonly KeyValue[] | undefined): string {
  // The common sets, none or one attribute (state, direction), without a map and a sort.
  if (!attrs || attrs.length === 0) return "[]";
  if (attrs.length === 1) return JSON.stringify([[attrs[0].key, typedValue(attrs[0].value)]]);
  const byKey = new Map<string, string>();
  for (const kv of attrs ?? []) if (!byKey.has(kv.key)) byKey.set(kv.key, typedValue(kv.value));
  return JSON.stringify([...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function typedValue(v: AnyValue | undefined): string {
  if (v === undefined || v === null) return "";
  if (v.stringValue !== undefined) return "s" + v.stringValue;
  if (v.intValue !== undefined) return "i" + intString(v.intValue);
  if (v.doubleValue !== undefined) return "d" + String(Number(v.doubleValue));
  if (v.boolValue !== undefined) return "b" + String(v.boolValue);
  if (v.bytesValue !== undefined) return "y" + v.bytesValue;
  if (v.arrayValue !== undefined) return "a" + JSON.stringify((v.arrayValue.values ?? []).map(typedValue));
  if (v.kvlistValue !== undefined) return "m" + attributeSetKey(v.kvlistValue.values);
  return "";
}

/** intString normalizes an int64 as protojson may write it ("007", 7) to its decimal form. */
function intString(v: string | number): string {
  try {
    return String(BigInt(v));
  } catch {
    return String(v);
  }
}

/** putAttr sets key like pcommon.Map.Put: in place when present, appended otherwise. */
function putAttr(attrs: KeyValue[], key: string, value: AnyValue): void {
  const at = attrs.findIndex((kv) => kv.key === key);
  if (at >= 0) attrs[at] = { key, value };
  else attrs.push({ key, value });
}

/** mark writes the tier (unless unset) and, when scoreAttribute names one, the score (unless NaN) on a copy. */
function mark(rm: ResourceMetrics, d: Decision, scoreAttribute?: string): ResourceMetrics {
  const attrs = [...(rm.resource?.attributes ?? [])];
  if (d.tier !== "") putAttr(attrs, ATTR_TIER, { stringValue: d.tier });
  if (scoreAttribute && !Number.isNaN(d.score)) putAttr(attrs, scoreAttribute, { doubleValue: d.score });
  return { ...rm, resource: { ...rm.resource, attributes: attrs } };
}

/** metricIdentity is what Go's metric shape is keyed by: name, type, and a sum's temporality and monotonicity. */
function metricIdentity(m: Metric): string {
  if (m.sum) return `${m.name}\0sum\0${m.sum.aggregationTemporality ?? 0}\0${m.sum.isMonotonic === true}`;
  return `${m.name}\0gauge`;
}

/**
 * Rollup sums resources into one: per metric (summable ones only) and per data point attribute
 * set; ints stay exact ints, a double makes the sum a double; the earliest non-zero start and the
 * latest time are kept. The first resource gives the attributes (less the declared prefixes, plus
 * the declared ones) and the scope.
 */
class Rollup {
  private count = 0;
  private readonly attrs: KeyValue[];
  private readonly scope: ScopeMetrics["scope"];
  private readonly metrics = new Map<string, Metric>();
  private readonly points = new Map<string, NumberDataPoint>();
  private latest = 0n;
  /** nonfinite counts the NaN and infinite values left out of the sums. */
  nonfinite = 0;

  constructor(first: ResourceMetrics, private readonly decl: RollupDeclaration) {
    this.attrs = (first.resource?.attributes ?? []).filter((kv) => !decl.strip.some((p) => kv.key.startsWith(p)));
    for (const s of decl.set) putAttr(this.attrs, s.key, s.value);
    this.scope = first.scopeMetrics?.[0]?.scope;
  }

  add(rm: ResourceMetrics): void {
    this.count++;
    for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
      if (!(m.sum || m.gauge) || !summable(m)) continue;
      const id = metricIdentity(m);
      for (const dp of points(m)) this.addPoint(id, m, dp);
    }
  }

  private addPoint(id: string, m: Metric, dp: NumberDataPoint): void {
    // A NaN or infinite value is left out, as if the point were absent (its time too): one would
    // make the group's sum NaN or infinite, and the host's totals with it.
    if (dp.asInt === undefined && !Number.isFinite(pointValue(dp))) {
      this.nonfinite++;
      return;
    }
    const t = BigInt(dp.timeUnixNano ?? 0);
    if (t > this.latest) this.latest = t;
    const key = id + "\0" + attributeSetKey(dp.attributes);
    const acc = this.points.get(key);
    if (!acc) {
      // As Go writes a roll-up point: the attributes, the times and the value, nothing else.
      const copy: NumberDataPoint = {};
      for (const k of ["attributes", "startTimeUnixNano", "timeUnixNano", "asInt", "asDouble"] as const) if (dp[k] !== undefined) copy[k] = dp[k] as never;
      points(this.metric(id, m)).push(copy);
      this.points.set(key, copy);
      return;
    }
    const start = BigInt(dp.startTimeUnixNano ?? 0);
    const accStart = BigInt(acc.startTimeUnixNano ?? 0);
    if (start !== 0n && (accStart === 0n || start < accStart)) acc.startTimeUnixNano = dp.startTimeUnixNano;
    if (t > BigInt(acc.timeUnixNano ?? 0)) acc.timeUnixNano = dp.timeUnixNano;
    if (acc.asInt !== undefined && dp.asInt !== undefined) {
      acc.asInt = String(BigInt.asIntN(64, BigInt(acc.asInt) + BigInt(dp.asInt))); // int64, as in Go
      return;
    }
    const sum = pointValue(acc) + pointValue(dp);
    delete acc.asInt;
    acc.asDouble = sum;
  }

  /**
   * metric is the roll-up's metric of identity id, made like m on the first point summed into it
   * (as in Go: a metric none of whose points was summed is not written).
   */
  private metric(id: string, m: Metric): Metric {
    let dst = this.metrics.get(id);
    if (!dst) {
      dst = { name: m.name, unit: m.unit, description: m.description };
      if (m.sum) dst.sum = { dataPoints: [], aggregationTemporality: m.sum.aggregationTemporality, isMonotonic: m.sum.isMonotonic };
      else dst.gauge = { dataPoints: [] };
      this.metrics.set(id, dst);
    }
    return dst;
  }

  /** resource is the roll-up: the sums, then the count metric (when declared) at the latest time summed. */
  resource(): ResourceMetrics {
    const metrics = [...this.metrics.values()];
    if (this.decl.count !== undefined) {
      metrics.push({ name: this.decl.count, unit: COUNT_UNIT, gauge: { dataPoints: [{ timeUnixNano: String(this.latest), asInt: String(this.count) }] } });
    }
    return { resource: { attributes: this.attrs }, scopeMetrics: [{ scope: this.scope, metrics }] };
  }
}
