// OTLP/JSON (the file exporter's format) to rows, and decisions back onto the resources, with the
// same semantics as the Go host's apply.go: keep marks, drop removes, roll up sums into "other".
import type { Decision } from "./abi.ts";
import type { Columns } from "./columns.ts";
import type { Row } from "./table.ts";

export interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
export interface KeyValue { key: string; value: AnyValue }
export interface NumberDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asInt?: string | number;
  asDouble?: number;
}
export interface Metric {
  name: string;
  description?: string;
  unit?: string;
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  gauge?: { dataPoints: NumberDataPoint[] };
}
export interface ScopeMetrics { scope?: { name?: string; version?: string }; metrics: Metric[] }
export interface ResourceMetrics { resource?: { attributes?: KeyValue[] }; scopeMetrics: ScopeMetrics[] }
export interface MetricsData { resourceMetrics: ResourceMetrics[] }

/** valueString renders an attribute as the Go host does (ints in decimal). */
export function valueString(v: AnyValue): string {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  return "";
}

export function pointValue(dp: NumberDataPoint): number {
  if (dp.asInt !== undefined) return Number(dp.asInt);
  return dp.asDouble ?? 0;
}

function points(m: Metric): NumberDataPoint[] {
  return m.sum?.dataPoints ?? m.gauge?.dataPoints ?? [];
}

/** toRow reduces one resource to the declared columns. */
export function toRow(rm: ResourceMetrics, cols: Columns): Row {
  const attrs: Record<string, string> = {};
  for (const kv of rm.resource?.attributes ?? []) {
    if (cols.attrs.includes(kv.key)) attrs[kv.key] = valueString(kv.value);
  }
  const metrics: Record<string, number> = {};
  for (const sm of rm.scopeMetrics ?? []) {
    for (const m of sm.metrics ?? []) {
      for (const c of cols.metrics) {
        if (c.name !== m.name || (!m.sum && !m.gauge)) continue;
        const key = `${c.name}:${c.reduction}`;
        for (const dp of points(m)) {
          let v: number;
          if (c.reduction === "start_time") {
            const start = Number(dp.startTimeUnixNano ?? 0);
            if (start === 0) continue;
            v = start / 1e9;
            if (metrics[key] === undefined || v < metrics[key]) metrics[key] = v;
            continue;
          }
          if (c.reduction === "time") {
            v = Number(dp.timeUnixNano ?? 0) / 1e9;
            if (metrics[key] === undefined || v > metrics[key]) metrics[key] = v;
            continue;
          }
          v = pointValue(dp);
          if (metrics[key] === undefined) metrics[key] = v;
          else if (c.reduction === "sum") metrics[key] += v;
          else if (v > metrics[key]) metrics[key] = v;
        }
      }
    }
  }
  return { attrs, metrics };
}

export interface Outcome { kept: number; dropped: number; rolledUp: number; invalid: number }

/** applyDecisions returns the resources after the decisions; the input is not modified. */
export function applyDecisions(rms: readonly ResourceMetrics[], decisions: readonly Decision[]): { resourceMetrics: ResourceMetrics[]; outcome: Outcome } {
  const outcome: Outcome = { kept: 0, dropped: 0, rolledUp: 0, invalid: 0 };
  const out: ResourceMetrics[] = [];
  const other = new Rollup();
  rms.forEach((rm, i) => {
    const d = decisions[i];
    if (d.invalid) {
      outcome.invalid++;
      out.push(rm);
    } else if (d.action === "drop") {
      outcome.dropped++;
    } else if (d.action === "rollup") {
      outcome.rolledUp++;
      other.add(rm);
    } else {
      outcome.kept++;
      out.push(mark(rm, d));
    }
  });
  if (other.count > 0) out.push(other.resource());
  return { resourceMetrics: out, outcome };
}

function setAttr(attrs: KeyValue[], key: string, value: AnyValue): KeyValue[] {
  return [...attrs.filter((kv) => kv.key !== key), { key, value }];
}

function mark(rm: ResourceMetrics, d: Decision): ResourceMetrics {
  let attrs = rm.resource?.attributes ?? [];
  if (d.tier !== "") attrs = setAttr(attrs, "nrdot.tier", { stringValue: d.tier });
  if (!Number.isNaN(d.score)) attrs = setAttr(attrs, "nrdot.score", { doubleValue: d.score });
  return { ...rm, resource: { ...rm.resource, attributes: attrs } };
}

/** Rollup sums resources per metric name and data point attribute set into one "other". */
class Rollup {
  count = 0;
  private attrs: KeyValue[] = [];
  private scope: ScopeMetrics["scope"];
  private metrics = new Map<string, Metric>();
  private points = new Map<string, NumberDataPoint>();

  add(rm: ResourceMetrics): void {
    if (this.count === 0) {
      this.attrs = (rm.resource?.attributes ?? []).filter((kv) => !kv.key.startsWith("process."));
      this.scope = rm.scopeMetrics?.[0]?.scope;
    }
    this.count++;
    for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) this.addMetric(m);
  }

  private addMetric(m: Metric): void {
    if (!m.sum && !m.gauge) return; // the process scraper emits only sums and gauges
    let dst = this.metrics.get(m.name);
    if (!dst) {
      dst = { name: m.name, unit: m.unit, description: m.description };
      if (m.sum) dst.sum = { dataPoints: [], aggregationTemporality: m.sum.aggregationTemporality, isMonotonic: m.sum.isMonotonic };
      else dst.gauge = { dataPoints: [] };
      this.metrics.set(m.name, dst);
    }
    for (const dp of points(m)) {
      const key = m.name + (dp.attributes ?? []).map((a) => `\0${a.key}=${valueString(a.value)}`).join("");
      const acc = this.points.get(key);
      if (!acc) {
        const copy: NumberDataPoint = { ...dp };
        points(dst).push(copy);
        this.points.set(key, copy);
        continue;
      }
      const start = BigInt(dp.startTimeUnixNano ?? 0);
      if (start !== 0n && (BigInt(acc.startTimeUnixNano ?? 0) === 0n || start < BigInt(acc.startTimeUnixNano!))) acc.startTimeUnixNano = dp.startTimeUnixNano;
      if (BigInt(dp.timeUnixNano ?? 0) > BigInt(acc.timeUnixNano ?? 0)) acc.timeUnixNano = dp.timeUnixNano;
      if (acc.asInt !== undefined && dp.asInt !== undefined) acc.asInt = String(BigInt(acc.asInt) + BigInt(dp.asInt));
      else {
        const sum = pointValue(acc) + pointValue(dp);
        delete acc.asInt;
        acc.asDouble = sum;
      }
    }
  }

  resource(): ResourceMetrics {
    const attrs = [
      ...this.attrs,
      { key: "process.executable.name", value: { stringValue: "other" } },
      { key: "nrdot.rollup", value: { boolValue: true } },
      { key: "nrdot.tier", value: { stringValue: "sampled" } },
      { key: "nrdot.rollup.count", value: { intValue: String(this.count) } },
    ];
    return { resource: { attributes: attrs }, scopeMetrics: [{ scope: this.scope, metrics: [...this.metrics.values()] }] };
  }
}
