import { MAX_ROWS, Table } from "../table";
import { STATUS_BAD_TABLE, STATUS_OK, errorMessage } from "../abi";

/** The worked example of docs/reference/abi.md: ("pg", 1.5), ("nginx", 0.25); 51 bytes. */
function workedExample(): ArrayBuffer {
  const b = new ArrayBuffer(51);
  const p = changetype<usize>(b);
  store<u32>(p, 1);
  store<u32>(p, 2, 4);
  store<u32>(p, 1, 8);
  store<u32>(p, 1, 12);
  store<f64>(p, 1.5, 16);
  store<f64>(p, 0.25, 24);
  store<u32>(p, 0, 32);
  store<u32>(p, 2, 36);
  store<u32>(p, 7, 40);
  const s = String.UTF8.encode("pgnginx");
  memory.copy(p + 44, changetype<usize>(s), 7);
  return b;
}

/** header writes a table header (version 1) into a fresh buffer of size bytes. */
function header(size: i32, rows: u32, s: u32, n: u32): ArrayBuffer {
  const b = new ArrayBuffer(size);
  const p = changetype<usize>(b);
  store<u32>(p, 1);
  store<u32>(p, rows, 4);
  store<u32>(p, s, 8);
  store<u32>(p, n, 12);
  return b;
}

function str(t: Table, col: i32, row: i32): string {
  return String.UTF8.decodeUnsafe(t.strPtr(col, row), <usize>t.strLen(col, row));
}

function load(b: ArrayBuffer, len: i32, s: i32, n: i32): i32 {
  return new Table().load(changetype<usize>(b), len, s, n);
}

describe("Table", () => {
  it("reads the worked example in place", () => {
    const b = workedExample();
    const t = new Table();
    expect(t.load(changetype<usize>(b), 51, 1, 1)).toBe(STATUS_OK);
    expect(t.rows).toBe(2);
    expect(t.strCols).toBe(1);
    expect(t.numCols).toBe(1);
    expect(t.num(0, 0)).toBe(1.5);
    expect(t.num(0, 1)).toBe(0.25);
    expect(str(t, 0, 0)).toBe("pg");
    expect(str(t, 0, 1)).toBe("nginx");
    expect(t.strPtr(0, 0)).toBe(changetype<usize>(b) + 44); // no copy
    const nginx = String.UTF8.encode("nginx");
    expect(t.strEquals(0, 1, changetype<usize>(nginx), 5)).toBe(true);
    expect(t.strEquals(0, 0, changetype<usize>(nginx), 5)).toBe(false);
  });
  it("reads several string and number columns, empty strings and NaN", () => {
    // R=2, S=2, N=2: numbers at 16, offsets at 48 (2 columns x 3), block at 72: "a", "", "", "xyz".
    const b = header(76, 2, 2, 2);
    const p = changetype<usize>(b);
    store<f64>(p, 1, 16);
    store<f64>(p, 2, 24);
    store<f64>(p, NaN, 32);
    store<f64>(p, 4, 40);
    store<u32>(p, 0, 48); store<u32>(p, 1, 52); store<u32>(p, 1, 56);
    store<u32>(p, 1, 60); store<u32>(p, 1, 64); store<u32>(p, 4, 68);
    memory.copy(p + 72, changetype<usize>(String.UTF8.encode("axyz")), 4);
    const t = new Table();
    expect(t.load(p, 76, 2, 2)).toBe(STATUS_OK);
    expect(str(t, 0, 0)).toBe("a");
    expect(t.strLen(0, 1)).toBe(0);
    expect(t.strLen(1, 0)).toBe(0);
    expect(str(t, 1, 1)).toBe("xyz");
    expect(t.num(0, 1)).toBe(2.0);
    expect(isNaN(t.num(1, 0))).toBe(true);
    expect(t.num(1, 1)).toBe(4.0);
  });
  it("refuses a table whose columns differ from the declaration", () => {
    const b = workedExample();
    expect(load(b, 51, 2, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: 1 string and 1 number columns, the module declared 2 and 1");
    expect(load(b, 51, 1, 0)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: 1 string and 1 number columns, the module declared 1 and 0");
  });
  it("refuses other versions", () => {
    const b = workedExample();
    store<u32>(changetype<usize>(b), 2);
    expect(load(b, 51, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: version 2, want 1");
  });
  it("refuses truncated tables", () => {
    const b = workedExample();
    expect(load(b, 50, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: string column 0, row 1 ends past the end of the table (truncated)");
    expect(load(b, 12, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: 12 bytes, shorter than its 16-byte header");
    expect(load(b, 40, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: 40 bytes, truncated before its string block");
    expect(load(b, -1, 1, 1)).toBe(STATUS_BAD_TABLE);
  });
  it("refuses trailing bytes", () => {
    const b = new ArrayBuffer(60);
    memory.copy(changetype<usize>(b), changetype<usize>(workedExample()), 51);
    expect(load(b, 52, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: length 52 does not match the end of its string block at 51");
  });
  it("refuses bad offsets", () => {
    const b = workedExample();
    const p = changetype<usize>(b);
    store<u32>(p, 9, 36); // row 0 ends past the block
    expect(load(b, 51, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: string column 0, row 0 ends past the end of the table (truncated)");
    store<u32>(p, 2, 36);
    store<u32>(p, 1, 32); // the first column must start at 0
    expect(load(b, 51, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: string column 0 does not start where the previous one ends");
    store<u32>(p, 0, 32);
    store<u32>(p, 5, 36);
    store<u32>(p, 3, 40); // offsets must not go down
    expect(load(b, 51, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: string column 0, row 1 ends before it starts (offsets go down)");
  });
  it("refuses columns that do not follow each other in the block", () => {
    // R=1, S=2, N=0: offsets at 16 (2 x 2), block at 32: "ab".
    const b = header(34, 1, 2, 0);
    const p = changetype<usize>(b);
    store<u32>(p, 0, 16); store<u32>(p, 1, 20);
    store<u32>(p, 0, 24); store<u32>(p, 2, 28); // column 1 must start at 1
    expect(load(b, 34, 2, 0)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: string column 1 does not start where the previous one ends");
    store<u32>(p, 1, 24);
    expect(load(b, 34, 2, 0)).toBe(STATUS_OK);
  });
  it("refuses row counts that would wrap around or overflow the decisions", () => {
    const b = workedExample();
    store<u32>(changetype<usize>(b), 0x40000000, 4);
    expect(load(b, 51, 1, 1)).toBe(STATUS_BAD_TABLE);
    const none = header(16, MAX_ROWS + 1, 0, 0);
    expect(load(none, 16, 0, 0)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: 67108865 rows, more than a batch can have");
  });
  it("refuses a length that runs past the module's memory", () => {
    const b = workedExample();
    expect(load(b, 0x7ffffff0, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage().endsWith("lie outside the module's memory")).toBe(true);
  });
  it("accepts tables without string columns or without rows", () => {
    const nums = header(32, 2, 0, 1);
    store<f64>(changetype<usize>(nums), 3.5, 24);
    const t = new Table();
    expect(t.load(changetype<usize>(nums), 32, 0, 1)).toBe(STATUS_OK);
    expect(t.num(0, 1)).toBe(3.5);
    expect(load(nums, 33, 0, 1)).toBe(STATUS_BAD_TABLE);
    const empty = header(20, 0, 1, 0);
    expect(t.load(changetype<usize>(empty), 20, 1, 0)).toBe(STATUS_OK);
    expect(t.rows).toBe(0);
    const bare = header(16, 0, 0, 0);
    expect(t.load(changetype<usize>(bare), 16, 0, 0)).toBe(STATUS_OK);
  });
});
