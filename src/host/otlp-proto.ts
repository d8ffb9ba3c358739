// OTLP/JSON metrics as OTLP protobuf (ExportMetricsServiceRequest), for sending to a collector's
// OTLP receiver the way agents do. Only what metrics of the process scraper use: resource and
// point attributes, scopes, sums and gauges of number points.
import type { AnyValue, KeyValue, Metric, MetricsData, NumberDataPoint, ResourceMetrics, ScopeMetrics } from "./otlp.ts";

const VARINT = 0, FIXED64 = 1, BYTES = 2;

class Writer {
  private parts: Uint8Array[] = [];
  private n = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.n += b.length;
  }

  varint(v: bigint): void {
    const out: number[] = [];
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    this.push(Uint8Array.from(out));
  }

  tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  fixed64(field: number, v: bigint): void {
    this.tag(field, FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.push(b);
  }

  double(field: number, v: number): void {
    this.tag(field, FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.push(b);
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, BYTES);
    this.varint(BigInt(b.length));
    this.push(b);
  }

  string(field: number, s: string | undefined): void {
    if (s) this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.n);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function anyValue(w: Writer, v: AnyValue): void {
  if (v.stringValue !== undefined) w.bytes(1, new TextEncoder().encode(v.stringValue)); // "" is still a string value
  else if (v.boolValue !== undefined) { w.tag(2, VARINT); w.varint(v.boolValue ? 1n : 0n); }
  else if (v.intValue !== undefined) { w.tag(3, VARINT); w.varint(BigInt(v.intValue)); }
  else if (v.doubleValue !== undefined) w.double(4, Number(v.doubleValue));
}

function keyValues(w: Writer, field: number, kvs: readonly KeyValue[] | undefined): void {
  for (const kv of kvs ?? []) w.message(field, (m) => { m.string(1, kv.key); m.message(2, (v) => anyValue(v, kv.value)); });
}

function point(w: Writer, dp: NumberDataPoint): void {
  if (dp.startTimeUnixNano) w.fixed64(2, BigInt(dp.startTimeUnixNano));
  if (dp.timeUnixNano) w.fixed64(3, BigInt(dp.timeUnixNano));
  if (dp.asInt !== undefined) w.fixed64(6, BigInt(dp.asInt));
  else w.double(4, Number(dp.asDouble ?? 0));
  keyValues(w, 7, dp.attributes);
}

function metric(w: Writer, m: Metric): void {
  w.string(1, m.name);
  w.string(2, m.description);
  w.string(3, m.unit);
  if (m.gauge) w.message(5, (g) => { for (const dp of m.gauge!.dataPoints) g.message(1, (p) => point(p, dp)); });
  if (m.sum) {
    w.message(7, (s) => {
      for (const dp of m.sum!.dataPoints) s.message(1, (p) => point(p, dp));
      if (m.sum!.aggregationTemporality) { s.tag(2, VARINT); s.varint(BigInt(m.sum!.aggregationTemporality)); }
      if (m.sum!.isMonotonic) { s.tag(3, VARINT); s.varint(1n); }
    });
  }
}

function scope(w: Writer, sm: ScopeMetrics): void {
  if (sm.scope) w.message(1, (s) => { s.string(1, sm.scope!.name); s.string(2, sm.scope!.version); });
  for (const m of sm.metrics) w.message(2, (x) => metric(x, m));
}

function resource(w: Writer, rm: ResourceMetrics): void {
  w.message(1, (r) => keyValues(r, 1, rm.resource?.attributes));
  for (const sm of rm.scopeMetrics) w.message(2, (s) => scope(s, sm));
}

/** encodeMetricsProto encodes one batch as an ExportMetricsServiceRequest. */
export function encodeMetricsProto(d: MetricsData): Uint8Array {
  const w = new Writer();
  for (const rm of d.resourceMetrics) w.message(1, (r) => resource(r, rm));
  return w.finish();
}
