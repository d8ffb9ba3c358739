// The resource table and the decision records, byte for byte as docs/reference/abi.md lays them
// out (little-endian; strings as UTF-8 bytes).
import { ACTIONS, DECISION_SIZE, TABLE_HEADER_SIZE, TABLE_VERSION, TIERS, type Decision } from "./abi.ts";

/** TableData is one batch column by column: numbers[n][r] and strings[s][r] for row r. */
export interface TableData {
  rows: number;
  numbers: readonly ArrayLike<number>[];
  strings: readonly (readonly string[])[];
}

const utf8 = new TextEncoder();

/** encodeTable lays a batch out as the table nrdot_process reads. */
export function encodeTable(t: TableData): Uint8Array {
  const R = t.rows;
  const S = t.strings.length;
  const N = t.numbers.length;
  for (const col of [...t.numbers, ...t.strings]) {
    if (col.length !== R) throw new Error(`table column has ${col.length} values for ${R} rows`);
  }
  const bytes = t.strings.map((col) => col.map((s) => utf8.encode(s)));
  let blockLen = 0;
  for (const col of bytes) for (const b of col) blockLen += b.length;
  const offsetsAt = TABLE_HEADER_SIZE + 8 * N * R;
  const blockAt = offsetsAt + 4 * S * (R + 1);
  const buf = new Uint8Array(blockAt + blockLen);
  const view = new DataView(buf.buffer);
  view.setUint32(0, TABLE_VERSION, true);
  view.setUint32(4, R, true);
  view.setUint32(8, S, true);
  view.setUint32(12, N, true);
  t.numbers.forEach((col, n) => {
    for (let r = 0; r < R; r++) view.setFloat64(TABLE_HEADER_SIZE + 8 * (n * R + r), col[r], true);
  });
  let pos = 0;
  bytes.forEach((col, s) => {
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
 * decodeTable reads a table back, checking what a guest answers BAD_TABLE to: version, sizes,
 * offsets that run forward and continue from column to column, and the exact length.
 */
export function decodeTable(bytes: Uint8Array): TableData {
  const bad = (why: string) => new Error(`bad table: ${why}`);
  if (bytes.length < TABLE_HEADER_SIZE) throw bad(`${bytes.length} bytes is shorter than the ${TABLE_HEADER_SIZE}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [version, R, S, N] = [0, 4, 8, 12].map((at) => view.getUint32(at, true));
  if (version !== TABLE_VERSION) throw bad(`version ${version}, want ${TABLE_VERSION}`);
  const offsetsAt = TABLE_HEADER_SIZE + 8 * N * R;
  const blockAt = offsetsAt + 4 * S * (R + 1);
  if (blockAt > bytes.length) throw bad(`${bytes.length} bytes cannot hold ${R} rows of ${N} numbers and ${S} strings`);
  const numbers = Array.from({ length: N }, (_, n) => {
    const col = new Float64Array(R);
    for (let r = 0; r < R; r++) col[r] = view.getFloat64(TABLE_HEADER_SIZE + 8 * (n * R + r), true);
    return col;
  });
  const text = new TextDecoder();
  let prev = 0;
  const strings = Array.from({ length: S }, (_, s) => {
    const at = offsetsAt + 4 * s * (R + 1);
    const off = Array.from({ length: R + 1 }, (_, r) => view.getUint32(at + 4 * r, true));
    if (off[0] !== prev) throw bad(`string column ${s} starts at ${off[0]}, want ${prev}`);
    for (let r = 0; r < R; r++) if (off[r + 1] < off[r]) throw bad(`string column ${s} row ${r} ends before it starts`);
    prev = off[R];
    if (blockAt + prev > bytes.length) throw bad(`string column ${s} runs past the end`);
    return Array.from({ length: R }, (_, r) => text.decode(bytes.subarray(blockAt + off[r], blockAt + off[r + 1])));
  });
  if (blockAt + prev !== bytes.length) throw bad(`length is ${bytes.length}, the table ends at ${blockAt + prev}`);
  return { rows: R, numbers, strings };
}

/**
 * decodeDecisions reads rows × 16-byte records. A record with an unknown action or tier keeps its
 * row unchanged and is marked invalid, as the Go host does; the reserved bytes are not read.
 */
export function decodeDecisions(bytes: Uint8Array, rows: number): Decision[] {
  if (bytes.length < rows * DECISION_SIZE) throw new Error(`${bytes.length} bytes of decisions for ${rows} rows`);
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

/** encodeDecisions writes decision records (for test guests and tools); invalid ones are refused. */
export function encodeDecisions(decisions: readonly Decision[]): Uint8Array {
  const buf = new Uint8Array(decisions.length * DECISION_SIZE);
  const view = new DataView(buf.buffer);
  decisions.forEach((d, r) => {
    const action = ACTIONS.indexOf(d.action);
    const tier = TIERS.indexOf(d.tier);
    if (d.invalid || action < 0 || tier < 0) throw new Error(`decision ${r} has no ABI encoding`);
    buf[r * DECISION_SIZE] = action;
    buf[r * DECISION_SIZE + 1] = tier;
    view.setFloat64(r * DECISION_SIZE + 8, d.score, true);
  });
  return buf;
}
