// Read access to the resource table (docs/reference/abi.md, "Table layout"). The table is read
// in place: no copies, no per-row allocation, strings stay UTF-8 bytes.
import { STATUS_BAD_TABLE, STATUS_OK, fail } from "./abi";

const HEADER: usize = 16;

export class Table {
  rows: i32 = 0;
  strCols: i32 = 0;
  numCols: i32 = 0;
  nums: usize = 0;
  offsets: usize = 0;
  block: usize = 0;

  /**
   * load checks the header against the declared column counts and every string offset against
   * the block, then points this table at the bytes. Returns a status code.
   */
  load(ptr: usize, len: i32, strCols: i32, numCols: i32): i32 {
    if (len < <i32>HEADER) return fail(STATUS_BAD_TABLE, "table: shorter than its 16-byte header");
    if (load<u32>(ptr) != 1) return fail(STATUS_BAD_TABLE, "table: version " + load<u32>(ptr).toString() + ", want 1");
    const rows = load<u32>(ptr, 4);
    const s = load<u32>(ptr, 8);
    const n = load<u32>(ptr, 12);
    if (s != <u32>strCols || n != <u32>numCols) {
      return fail(STATUS_BAD_TABLE, "table: " + s.toString() + " string and " + n.toString() +
        " number columns, the module declared " + strCols.toString() + " and " + numCols.toString());
    }
    // 64-bit arithmetic so a hostile row count cannot wrap around.
    const blockAt: u64 = <u64>HEADER + 8 * <u64>n * <u64>rows + 4 * <u64>s * (<u64>rows + 1);
    if (blockAt > <u64>len) return fail(STATUS_BAD_TABLE, "table: truncated before its string block");
    const offsets = ptr + <usize>(<u64>HEADER + 8 * <u64>n * <u64>rows);
    const blockLen = <u32>(<u64>len - blockAt);
    let prev: u32 = 0;
    for (let c: u32 = 0; c < s; c++) {
      const col = offsets + <usize>(4 * c * (rows + 1));
      if (load<u32>(col) != prev) return fail(STATUS_BAD_TABLE, "table: string column " + c.toString() + " does not start where the previous one ends");
      for (let r: u32 = 1; r <= rows; r++) {
        const o = load<u32>(col + <usize>(4 * r));
        if (o < prev || o > blockLen) return fail(STATUS_BAD_TABLE, "table: string offset out of range in column " + c.toString() + ", row " + (r - 1).toString());
        prev = o;
      }
    }
    if (prev != blockLen) return fail(STATUS_BAD_TABLE, "table: length does not match its string block");
    this.rows = <i32>rows;
    this.strCols = strCols;
    this.numCols = numCols;
    this.nums = ptr + HEADER;
    this.offsets = offsets;
    this.block = ptr + <usize>blockAt;
    return STATUS_OK;
  }

  /** num is number column col at row; NaN when the resource lacks the metric. */
  @inline num(col: i32, row: i32): f64 {
    return load<f64>(this.nums + ((<usize>col * <usize>this.rows + <usize>row) << 3));
  }

  /** strPtr is where string column col of row starts (UTF-8 bytes). */
  @inline strPtr(col: i32, row: i32): usize {
    return this.block + <usize>load<u32>(this.offsets + ((<usize>col * (<usize>this.rows + 1) + <usize>row) << 2));
  }

  /** strLen is the byte length of string column col of row. */
  @inline strLen(col: i32, row: i32): i32 {
    const at = this.offsets + ((<usize>col * (<usize>this.rows + 1) + <usize>row) << 2);
    return <i32>(load<u32>(at, 4) - load<u32>(at));
  }
}
