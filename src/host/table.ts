// The resource table and decision records, byte for byte as docs/reference/abi.md lays them out.
import { ABI_VERSION, ACTIONS, DECISION_SIZE, TIERS, type Decision } from "./abi.ts";
import { metricKey, type Columns } from "./columns.ts";

/** A row: resource attributes as strings, reduced metric values keyed "name:reduction". */
export interface Row {
  attrs: Record<string, string>;
  metrics: Record<string, number>;
}

const utf8 = new TextEncoder();

/** encodeTable lays rows out for the declared columns (missing attr "", missing metric NaN). */
export function encodeTable(cols: Columns, rows: readonly Row[]): Uint8Array {
  const R = rows.length;
  const S = cols.attrs.length;
  const N = cols.metrics.length;
  const strings = cols.attrs.map((key) => rows.map((r) => utf8.encode(r.attrs[key] ?? "")));
  const blockLen = strings.reduce((n, col) => n + col.reduce((m, b) => m + b.length, 0), 0);
  const offsetsAt = 16 + 8 * N * R;
  const blockAt = offsetsAt + 4 * S * (R + 1);
  const buf = new Uint8Array(blockAt + blockLen);
  const view = new DataView(buf.buffer);
  view.setUint32(0, ABI_VERSION, true);
  view.setUint32(4, R, true);
  view.setUint32(8, S, true);
  view.setUint32(12, N, true);
  cols.metrics.forEach((c, n) => {
    const key = metricKey(c);
    rows.forEach((row, r) => view.setFloat64(16 + 8 * (n * R + r), row.metrics[key] ?? NaN, true));
  });
  let pos = 0;
  strings.forEach((col, s) => {
    const at = offsetsAt + 4 * s * (R + 1);
    col.forEach((b, r) => {
      view.setUint32(at + 4 * r, pos, true);
      buf.set(b, blockAt + pos);
      pos += b.length;
    });
    view.setUint32(at + 4 * R, pos, true);
  });
  return buf;
}

/**
 * decodeDecisions reads rows × 16-byte records. A record with an unknown code keeps its row
 * unchanged and is marked invalid, as the Go host does.
 */
export function decodeDecisions(bytes: Uint8Array, rows: number): Decision[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Decision[] = [];
  for (let r = 0; r < rows; r++) {
    const at = r * DECISION_SIZE;
    const action = ACTIONS[bytes[at]];
    const tier = TIERS[bytes[at + 1]];
    if (action === undefined || tier === undefined) {
      out.push({ action: "keep", tier: "", score: NaN, invalid: true });
      continue;
    }
    out.push({ action, tier, score: view.getFloat64(at + 8, true) });
  }
  return out;
}
