// The host-independent form of an applied batch that the applied golden vectors hold
// (test/vectors/README.md): what a backend sees, with every type explicit, so the Go host
// (collector/wasmprocessor/vectors_test.go, canonical) and the TS host write the same JSON.
import { valueString, type AnyValue, type KeyValue, type Metric, type NumberDataPoint, type ResourceMetrics } from "../../src/host/index.ts";

/** CanonicalAttribute is [key, type, value]: an int as a decimal string, a double as a number. */
export type CanonicalAttribute = [string, "string" | "bool" | "int" | "double" | "other", string | boolean | number];

export interface CanonicalPoint {
  attributes: CanonicalAttribute[];
  start: string;
  time: string;
  int?: string;
  double?: number;
}

export interface CanonicalMetric {
  name: string;
  unit: string;
  description: string;
  type: string;
  temporality?: "unspecified" | "delta" | "cumulative";
  monotonic?: boolean;
  points: CanonicalPoint[];
}

export interface CanonicalResource {
  attributes: CanonicalAttribute[];
  scopes: { name: string; version: string; metrics: CanonicalMetric[] }[];
}

const TEMPORALITY = ["unspecified", "delta", "cumulative"] as const;

export function canonicalAttributes(attrs: readonly KeyValue[] | undefined): CanonicalAttribute[] {
  return (attrs ?? []).map(({ key, value }) => [key, ...canonicalValue(value)] as CanonicalAttribute);
}

function canonicalValue(v: AnyValue | undefined): [CanonicalAttribute[1], CanonicalAttribute[2]] {
  if (v?.stringValue !== undefined) return ["string", v.stringValue];
  if (v?.boolValue !== undefined) return ["bool", v.boolValue];
  if (v?.intValue !== undefined) return ["int", BigInt(v.intValue).toString()];
  if (v?.doubleValue !== undefined) return ["double", Number(v.doubleValue)];
  return ["other", valueString(v)];
}

function canonicalPoint(dp: NumberDataPoint): CanonicalPoint {
  const p: CanonicalPoint = {
    attributes: canonicalAttributes(dp.attributes),
    start: BigInt(dp.startTimeUnixNano ?? 0).toString(),
    time: BigInt(dp.timeUnixNano ?? 0).toString(),
  };
  if (dp.asInt !== undefined) p.int = BigInt(dp.asInt).toString();
  else if (dp.asDouble !== undefined) p.double = Number(dp.asDouble);
  return p;
}

function canonicalMetric(m: Metric): CanonicalMetric {
  const base = { name: m.name, unit: m.unit ?? "", description: m.description ?? "" };
  if (m.sum) {
    return { ...base, type: "sum", temporality: TEMPORALITY[m.sum.aggregationTemporality ?? 0], monotonic: m.sum.isMonotonic === true, points: m.sum.dataPoints.map(canonicalPoint) };
  }
  if (m.gauge) return { ...base, type: "gauge", points: m.gauge.dataPoints.map(canonicalPoint) };
  const type = ["histogram", "exponentialHistogram", "summary"].find((k) => m[k] !== undefined) ?? "empty";
  return { ...base, type, points: [] };
}

/** canonical is the applied output of one batch in the vectors' form. */
export function canonical(rms: readonly ResourceMetrics[]): CanonicalResource[] {
  return rms.map((rm) => ({
    attributes: canonicalAttributes(rm.resource?.attributes),
    scopes: (rm.scopeMetrics ?? []).map((sm) => ({ name: sm.scope?.name ?? "", version: sm.scope?.version ?? "", metrics: (sm.metrics ?? []).map(canonicalMetric) })),
  }));
}
