// OTLP/JSON metrics as the collector's file exporter writes them (one JSON object per line), and
// their reduction to rows with the same semantics as the Go host's table.go.
import { metricKey, type Columns } from "./columns.ts";
import type { Row } from "./rows.ts";

export interface AnyValue {
  stringValue?: string;
  /** int64 as a decimal string, as protojson writes it (numbers are accepted too). */
  intValue?: string | number;
  /** a number, or "NaN" / "Infinity" / "-Infinity" as protojson writes them. */
  doubleValue?: number | string;
  boolValue?: boolean;
  /** base64, as protojson writes bytes. */
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
export interface KeyValue { key: string; value: AnyValue }
export interface NumberDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asInt?: string | number;
  asDouble?: number | string;
  [field: string]: unknown; // exemplars, flags: carried along
}
export interface Metric {
  name: string;
  description?: string;
  unit?: string;
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  gauge?: { dataPoints: NumberDataPoint[] };
  [field: string]: unknown; // histogram, summary, metadata: carried along, never reduced
}
export interface ScopeMetrics { scope?: { name?: string; version?: string }; metrics: Metric[]; schemaUrl?: string }
export interface ResourceMetrics { resource?: { attributes?: KeyValue[] }; scopeMetrics: ScopeMetrics[]; schemaUrl?: string }
/** MetricsData is one batch: one line of the file exporter's output. */
export interface MetricsData { resourceMetrics: ResourceMetrics[] }

/**
 * parseMetricsJsonl reads the file exporter's output: one MetricsData per non-empty line. An
 * error names the file and the line.
 */
export function parseMetricsJsonl(content: string, file = "<input>"): MetricsData[] {
  const out: MetricsData[] = [];
  content.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    const rms = (doc as MetricsData | null)?.resourceMetrics;
    if (typeof doc !== "object" || doc === null || Array.isArray(doc) || (rms !== undefined && !Array.isArray(rms))) {
      throw new Error(`${file}:${i + 1}: not OTLP/JSON metrics: want an object with a resourceMetrics array`);
    }
    out.push({ resourceMetrics: rms ?? [] });
  });
  return out;
}

/** formatMetricsJsonl writes batches as the file exporter does: one JSON object per line. */
export function formatMetricsJsonl(batches: readonly MetricsData[]): string {
  return batches.map((b) => JSON.stringify(b) + "\n").join("");
}

/**
 * valueString renders an attribute value as the Go host does (pcommon.Value.AsString): ints in
 * decimal, doubles without exponent, arrays and maps as JSON, bytes as base64, nothing as "".
 */
export function valueString(v: AnyValue | undefined): string {
  if (v === undefined || v === null) return "";
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return formatDouble(Number(v.doubleValue));
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined || v.kvlistValue !== undefined) return goJson(v);
  return "";
}

/** formatDouble is Go's strconv.FormatFloat(x, 'f', -1, 64): shortest digits, never an exponent. */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (Object.is(x, -0)) return "-0";
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = "", exp] = m;
  const digits = lead + frac;
  const point = 1 + Number(exp); // position of the decimal point within digits
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** goJson is Go's json.Marshal of the value's raw form (map keys sorted, HTML characters escaped). */
function goJson(v: AnyValue | undefined): string {
  if (v === undefined || v === null) return "null";
  if (v.stringValue !== undefined || v.bytesValue !== undefined) {
    return JSON.stringify(v.stringValue ?? v.bytesValue).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) {
    const x = Number(v.doubleValue);
    return Number.isFinite(x) ? String(x) : "null"; // Go fails on NaN/Inf; there is no better rendering
  }
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.arrayValue !== undefined) return `[${(v.arrayValue.values ?? []).map(goJson).join(",")}]`;
  if (v.kvlistValue !== undefined) {
    const byKey = new Map<string, AnyValue | undefined>();
    for (const kv of v.kvlistValue.values ?? []) if (!byKey.has(kv.key)) byKey.set(kv.key, kv.value);
    const keys = [...byKey.keys()].sort();
    return `{${keys.map((k) => `${goJson({ stringValue: k })}:${goJson(byKey.get(k))}`).join(",")}}`;
  }
  return "null";
}

/** pointValue is a number data point's value as f64 (int points converted; no value is 0). */
export function pointValue(dp: NumberDataPoint): number {
  if (dp.asInt !== undefined) return Number(dp.asInt);
  return dp.asDouble === undefined ? 0 : Number(dp.asDouble);
}

/** points are a sum's or gauge's number data points; other metric types have none. */
export function points(m: Metric): NumberDataPoint[] {
  return m.sum?.dataPoints ?? m.gauge?.dataPoints ?? [];
}

/** earliestTime is the earliest set point timestamp in a batch (0 when it has none). */
export function earliestTime(batch: MetricsData | undefined): bigint {
  let min: bigint | undefined;
  for (const rm of batch?.resourceMetrics ?? []) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const dp of points(m)) {
    const t = BigInt(dp.timeUnixNano ?? 0);
    if (t > 0n && (min === undefined || t < min)) min = t;
  }
  return min ?? 0n;
}

/**
 * toRow reduces one resource to the declared columns: its attributes (the first of a repeated
 * key), and each declared metric's sum and gauge points reduced as the column says
 * (start_time: earliest non-zero start; time: latest timestamp; both in unix seconds).
 */
export function toRow(rm: ResourceMetrics, cols: Columns): Row {
  const attrs: Record<string, string> = {};
  for (const kv of rm.resource?.attributes ?? []) {
    if (cols.attrs.includes(kv.key) && !Object.hasOwn(attrs, kv.key)) attrs[kv.key] = valueString(kv.value);
  }
  // A point whose value is NaN or ±Inf is read as absent, its timestamps too (as in the Go host): a
  // column is then NaN only when the metric has no finite point, so NaN means absent and nothing else.
  const metrics: Record<string, number> = {};
  for (const sm of rm.scopeMetrics ?? []) {
    for (const m of sm.metrics ?? []) {
      if (!m.sum && !m.gauge) continue;
      for (const c of cols.metrics) {
        if (c.name !== m.name) continue;
        const key = metricKey(c);
        for (const dp of points(m)) {
          const value = pointValue(dp);
          if (!Number.isFinite(value)) continue;
          const slot = Object.hasOwn(metrics, key) ? metrics[key] : NaN;
          if (c.reduction === "start_time") {
            const start = Number(dp.startTimeUnixNano ?? 0);
            if (start === 0) continue;
            const v = start / 1e9;
            if (Number.isNaN(slot) || v < slot) metrics[key] = v;
          } else if (c.reduction === "time") {
            const v = Number(dp.timeUnixNano ?? 0) / 1e9;
            if (Number.isNaN(slot) || v > slot) metrics[key] = v;
          } else {
            if (Number.isNaN(slot)) metrics[key] = value;
            else if (c.reduction === "sum") metrics[key] = slot + value;
            else if (value > slot) metrics[key] = value;
          }
        }
      }
    }
  }
  return { attrs, metrics };
}

/** batchRows is one row per resource of a batch, in order. */
export function batchRows(rms: readonly ResourceMetrics[], cols: Columns): Row[] {
  return rms.map((rm) => toRow(rm, cols));
}
