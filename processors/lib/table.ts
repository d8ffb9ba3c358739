// Read access to the resource table (docs/reference/abi.md, "Table layout"). The table is read
// in place: no copies, no per-row allocation, strings stay UTF-8 bytes.
import { STATUS_BAD_TABLE, STATUS_OK, errorBegin, errorEnd, errorInt, errorText, inMemory } from "./abi";

const HEADER: u64 = 16;
/** MAX_ROWS keeps rows × 16 bytes of decisions within an i32. */
export const MAX_ROWS: u32 = 1 << 26;

export class Table {
  /** rows is R, the number of rows (resources). */
  rows: i32 = 0;
  /** strCols is S, the number of string columns. */
  strCols: i32 = 0;
  /** numCols is N, the number of number columns. */
  numCols: i32 = 0;
  nums: usize = 0;
  offsets: usize = 0;
  block: usize = 0;

  /**
   * load checks the table at ptr (len bytes) against the declared column counts, its length and
   * every string offset, then points this table at the bytes. Returns STATUS_OK, or
   * STATUS_BAD_TABLE with the reason in the last error. It allocates nothing.
   */
  load(ptr: usize, len: i32, strCols: i32, numCols: i32): i32 {
    if (len < <i32>HEADER) return badTable("table: ", len, " bytes, shorter than its 16-byte header");
    if (!inMemory(ptr, len)) return badTable("table: ", len, " bytes at that pointer lie outside the module's memory");
    const version = load<u32>(ptr);
    if (version != 1) return badTable("table: version ", version, ", want 1");
    const rows = load<u32>(ptr, 4);
    const s = load<u32>(ptr, 8);
    const n = load<u32>(ptr, 12);
    if (s != <u32>strCols || n != <u32>numCols) {
      errorBegin();
      errorText("table: ");
      errorInt(s);
      errorText(" string and ");
      errorInt(n);
      errorText(" number columns, the module declared ");
      errorInt(strCols);
      errorText(" and ");
      errorInt(numCols);
      return errorEnd(STATUS_BAD_TABLE);
    }
    if (rows > MAX_ROWS) return badTable("table: ", rows, " rows, more than a batch can have");
    // 64-bit arithmetic, so a hostile count cannot wrap around.
    const offsetsAt: u64 = HEADER + 8 * <u64>n * <u64>rows;
    const blockAt: u64 = offsetsAt + 4 * <u64>s * (<u64>rows + 1);
    if (blockAt > <u64>len) return badTable("table: ", len, " bytes, truncated before its string block");
    const offsets = ptr + <usize>offsetsAt;
    const blockLen = <u32>(<u64>len - blockAt);
    let prev: u32 = 0;
    for (let c: u32 = 0; c < s; c++) {
      const col = offsets + <usize>(4 * c * (rows + 1));
      if (load<u32>(col) != prev) return badTable("table: string column ", c, " does not start where the previous one ends");
      for (let r: u32 = 1; r <= rows; r++) {
        const o = load<u32>(col + <usize>(4 * r));
        if (o < prev || o > blockLen) {
          errorBegin();
          errorText("table: string column ");
          errorInt(c);
          errorText(", row ");
          errorInt(r - 1);
          errorText(o < prev ? " ends before it starts (offsets go down)" : " ends past the end of the table (truncated)");
          return errorEnd(STATUS_BAD_TABLE);
        }
        prev = o;
      }
    }
    if (prev != blockLen) {
      errorBegin();
      errorText("table: length ");
      errorInt(len);
      errorText(" does not match the end of its string block at ");
      errorInt(<i64>blockAt + prev);
      return errorEnd(STATUS_BAD_TABLE);
    }
    this.rows = <i32>rows;
    this.strCols = strCols;
    this.numCols = numCols;
    this.nums = ptr + <usize>HEADER;
    this.offsets = offsets;
    this.block = ptr + <usize>blockAt;
    return STATUS_OK;
  }

  /** num is number column col at row; NaN exactly when the resource has no finite point of the metric. */
  @inline num(col: i32, row: i32): f64 {
    return load<f64>(this.nums + ((<usize>col * <usize>this.rows + <usize>row) << 3));
  }

  /** strPtr is where string column col of row starts (UTF-8 bytes). */
  @inline strPtr(col: i32, row: i32): usize {
    return this.block + <usize>load<u32>(this.offsets + ((<usize>col * (<usize>this.rows + 1) + <usize>row) << 2));
  }

  /** strLen is the byte length of string column col of row (0 when the attribute is absent). */
  @inline strLen(col: i32, row: i32): i32 {
    const at = this.offsets + ((<usize>col * (<usize>this.rows + 1) + <usize>row) << 2);
    return <i32>(load<u32>(at, 4) - load<u32>(at));
  }

  /** strEquals reports whether string column col of row is exactly the len bytes at p. */
  strEquals(col: i32, row: i32, p: usize, len: i32): bool {
    if (this.strLen(col, row) != len) return false;
    return memory.compare(this.strPtr(col, row), p, <usize>len) == 0;
  }
}

/** badTable records "<before><n><after>" as the error and returns STATUS_BAD_TABLE. */
function badTable(before: string, n: i64, after: string): i32 {
  errorBegin();
  errorText(before);
  errorInt(n);
  errorText(after);
  return errorEnd(STATUS_BAD_TABLE);
}
