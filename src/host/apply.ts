// Decisions applied to a batch with the same semantics as the Go host's apply.go: keep marks the
// resource, drop removes it, roll up sums it into one "other" resource per batch.
import type { Decision, Tier } from "./abi.ts";
import { points, pointValue, type AnyValue, type KeyValue, type Metric, type NumberDataPoint, type ResourceMetrics, type ScopeMetrics } from "./otlp.ts";
import { resourceAttr } from "./totals.ts";

/** Resource attributes the host writes. */
export const ATTR_TIER = "nrdot.tier";
export const ATTR_SCORE = "nrdot.score";
export const ATTR_ROLLUP = "nrdot.rollup";
export const ATTR_ROLLUP_COUNT = "nrdot.rollup.count";
export const ATTR_EXECUTABLE_NAME = "process.executable.name";
export const OTHER_NAME = "other";
const SAMPLED: Tier = "sampled";

/** Outcome counts what applyDecisions did; invalid decisions left their resource unchanged. */
export interface Outcome { kept: number; dropped: number; rolledUp: number; invalid: number }

/**
 * applyDecisions applies one decision per resource, in order, and returns the resources that
 * remain, then one "other" per host (host.name) that had rows rolled up, in the order the hosts
 * first appear. The input is not modified.
 */
export function applyDecisions(rms: readonly ResourceMetrics[], decisions: readonly Decision[]): { resourceMetrics: ResourceMetrics[]; outcome: Outcome } {
  if (decisions.length !== rms.length) throw new Error(`${decisions.length} decisions for ${rms.length} resources`);
  const outcome: Outcome = { kept: 0, dropped: 0, rolledUp: 0, invalid: 0 };
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
      const host = resourceAttr(rm, "host.name") ?? ""; // each host gets its own "other"
      if (!others.has(host)) others.set(host, new Rollup());
      others.get(host)!.add(rm);
    } else {
      outcome.kept++;
      out.push(mark(rm, d));
    }
  });
  for (const other of others.values()) out.push(other.resource());
  return { resourceMetrics: out, outcome };
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

/** mark writes nrdot.tier (unless unset) and nrdot.score (unless NaN) on a copy of the resource. */
function mark(rm: ResourceMetrics, d: Decision): ResourceMetrics {
  const attrs = [...(rm.resource?.attributes ?? [])];
  if (d.tier !== "") putAttr(attrs, ATTR_TIER, { stringValue: d.tier });
  if (!Number.isNaN(d.score)) putAttr(attrs, ATTR_SCORE, { doubleValue: d.score });
  return { ...rm, resource: { ...rm.resource, attributes: attrs } };
}

/**
 * Rollup sums resources into one: per metric name (sums and gauges only, as the process scraper
 * emits) and per data point attribute set; ints stay exact ints, a double makes the sum a double;
 * the earliest non-zero start and the latest time are kept. The first resource gives the
 * non-process attributes (host.name, …) and the scope.
 */
class Rollup {
  count = 0;
  private attrs: KeyValue[] = [];
  private scope: ScopeMetrics["scope"];
  private metrics = new Map<string, Metric>();
  private points = new Map<string, NumberDataPoint>();

  add(rm: ResourceMetrics): void {
    if (this.count === 0) {
      // The host's attributes, not the process's nor what an earlier stage wrote about it.
      this.attrs = (rm.resource?.attributes ?? []).filter((kv) => !kv.key.startsWith("process.") && !kv.key.startsWith("nrdot."));
      putAttr(this.attrs, ATTR_EXECUTABLE_NAME, { stringValue: OTHER_NAME });
      putAttr(this.attrs, ATTR_ROLLUP, { boolValue: true });
      putAttr(this.attrs, ATTR_TIER, { stringValue: SAMPLED });
      this.scope = rm.scopeMetrics?.[0]?.scope;
    }
    this.count++;
    for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) this.addMetric(m);
  }

  private addMetric(m: Metric): void {
    if (!m.sum && !m.gauge) return;
    let dst = this.metrics.get(m.name);
    if (!dst) {
      dst = { name: m.name, unit: m.unit, description: m.description };
      if (m.sum) dst.sum = { dataPoints: [], aggregationTemporality: m.sum.aggregationTemporality, isMonotonic: m.sum.isMonotonic };
      else dst.gauge = { dataPoints: [] };
      this.metrics.set(m.name, dst);
    }
    for (const dp of points(m)) this.addPoint(dst, dp);
  }

  private addPoint(dst: Metric, dp: NumberDataPoint): void {
    const key = dst.name + "\0" + attributeSetKey(dp.attributes);
    const acc = this.points.get(key);
    if (!acc) {
      const copy: NumberDataPoint = { ...dp };
      points(dst).push(copy);
      this.points.set(key, copy);
      return;
    }
    const start = BigInt(dp.startTimeUnixNano ?? 0);
    const accStart = BigInt(acc.startTimeUnixNano ?? 0);
    if (start !== 0n && (accStart === 0n || start < accStart)) acc.startTimeUnixNano = dp.startTimeUnixNano;
    if (BigInt(dp.timeUnixNano ?? 0) > BigInt(acc.timeUnixNano ?? 0)) acc.timeUnixNano = dp.timeUnixNano;
    if (acc.asInt !== undefined && dp.asInt !== undefined) {
      acc.asInt = String(BigInt.asIntN(64, BigInt(acc.asInt) + BigInt(dp.asInt))); // int64, as in Go
      return;
    }
    const sum = pointValue(acc) + pointValue(dp);
    delete acc.asInt;
    acc.asDouble = sum;
  }

  resource(): ResourceMetrics {
    putAttr(this.attrs, ATTR_ROLLUP_COUNT, { intValue: String(this.count) });
    return { resource: { attributes: this.attrs }, scopeMetrics: [{ scope: this.scope, metrics: [...this.metrics.values()] }] };
  }
}
