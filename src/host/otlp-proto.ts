// OTLP/JSON metrics as OTLP protobuf (ExportMetricsServiceRequest), for sending to a collector's
// OTLP receiver the way agents do, and for measuring a batch's size on the wire. Only what metrics
// of the process scraper use: resource and point attributes, scopes, sums and gauges of number
// points.
import type { AnyValue, KeyValue, Metric, MetricsData, NumberDataPoint, ResourceMetrics, ScopeMetrics } from "./otlp.ts";

const VARINT = 0, FIXED64 = 1, BYTES = 2;
const utf8 = new TextEncoder();

/**
 * Writer encodes into one growable buffer. A length-delimited field reserves one byte for its
 * length and widens it in place once the length is known (most attributes and points are under
 * 128 bytes), so every byte is written once instead of once per level of nesting.
 */
class Writer {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  /** varint writes a non-negative number below 2⁵³ (tags, lengths, small ints). */
  varint(v: number): void {
    this.reserve(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  /** int64 writes an int64 as a varint (a negative one as its two's complement, 10 bytes). */
  int64(v: bigint): void {
    if (v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return this.varint(Number(v));
    this.reserve(10);
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  fixed64(field: number, v: bigint): void {
    this.tag(field, FIXED64);
    this.reserve(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
  }

  double(field: number, v: number): void {
    this.tag(field, FIXED64);
    this.reserve(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** delimited writes field as a length-delimited field whose content write writes. */
  delimited(field: number, write: () => void): void {
    this.tag(field, BYTES);
    this.reserve(1);
    const at = this.pos++;
    write();
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    let width = 1;
    for (let x = len; x >= 0x80; x = Math.floor(x / 0x80)) width++;
    this.reserve(width - 1);
    this.buf.copyWithin(at + width, at + 1, this.pos);
    const end = this.pos + width - 1;
    this.pos = at;
    this.varint(len);
    this.pos = end;
  }

  /** text writes a string field, even "" (a string value); str below skips "". */
  text(field: number, s: string): void {
    this.delimited(field, () => {
      this.reserve(s.length * 3);
      this.pos += utf8.encodeInto(s, this.buf.subarray(this.pos)).written;
    });
  }

  string(field: number, s: string | undefined): void {
    if (s) this.text(field, s);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function anyValue(w: Writer, v: AnyValue): void {
  if (v.stringValue !== undefined) w.text(1, v.stringValue); // "" is still a string value
  else if (v.boolValue !== undefined) { w.tag(2, VARINT); w.varint(v.boolValue ? 1 : 0); }
  else if (v.intValue !== undefined) { w.tag(3, VARINT); w.int64(BigInt(v.intValue)); }
  else if (v.doubleValue !== undefined) w.double(4, Number(v.doubleValue));
}

function keyValues(w: Writer, field: number, kvs: readonly KeyValue[] | undefined): void {
  for (const kv of kvs ?? []) w.delimited(field, () => { w.string(1, kv.key); w.delimited(2, () => anyValue(w, kv.value)); });
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
  if (m.gauge) w.delimited(5, () => { for (const dp of m.gauge!.dataPoints) w.delimited(1, () => point(w, dp)); });
  if (m.sum) {
    w.delimited(7, () => {
      for (const dp of m.sum!.dataPoints) w.delimited(1, () => point(w, dp));
      if (m.sum!.aggregationTemporality) { w.tag(2, VARINT); w.varint(m.sum!.aggregationTemporality); }
      if (m.sum!.isMonotonic) { w.tag(3, VARINT); w.varint(1); }
    });
  }
}

function scope(w: Writer, sm: ScopeMetrics): void {
  if (sm.scope) w.delimited(1, () => { w.string(1, sm.scope!.name); w.string(2, sm.scope!.version); });
  for (const m of sm.metrics) w.delimited(2, () => metric(w, m));
}

function resource(w: Writer, rm: ResourceMetrics): void {
  w.delimited(1, () => keyValues(w, 1, rm.resource?.attributes));
  for (const sm of rm.scopeMetrics) w.delimited(2, () => scope(w, sm));
}

/** encodeMetricsProto encodes one batch as an ExportMetricsServiceRequest. */
export function encodeMetricsProto(d: MetricsData): Uint8Array {
  const w = new Writer();
  for (const rm of d.resourceMetrics) w.delimited(1, () => resource(w, rm));
  return w.finish();
}
