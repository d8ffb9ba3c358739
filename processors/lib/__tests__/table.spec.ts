import { Table } from "../table";
import { STATUS_BAD_TABLE, STATUS_OK, errorMessage } from "../abi";

/** The worked example of docs/reference/abi.md: ("pg", 1.5), ("nginx", 0.25). */
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

function str(t: Table, col: i32, row: i32): string {
  return String.UTF8.decodeUnsafe(t.strPtr(col, row), <usize>t.strLen(col, row));
}

describe("Table", () => {
  it("reads the worked example in place", () => {
    const b = workedExample();
    const t = new Table();
    expect(t.load(changetype<usize>(b), 51, 1, 1)).toBe(STATUS_OK);
    expect(t.rows).toBe(2);
    expect(t.num(0, 0)).toBe(1.5);
    expect(t.num(0, 1)).toBe(0.25);
    expect(str(t, 0, 0)).toBe("pg");
    expect(str(t, 0, 1)).toBe("nginx");
  });
  it("refuses a table whose columns differ from the declaration", () => {
    const b = workedExample();
    const t = new Table();
    expect(t.load(changetype<usize>(b), 51, 2, 1)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: 1 string and 1 number columns, the module declared 2 and 1");
  });
  it("refuses truncated tables and bad offsets", () => {
    const b = workedExample();
    const t = new Table();
    expect(t.load(changetype<usize>(b), 50, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(t.load(changetype<usize>(b), 12, 1, 1)).toBe(STATUS_BAD_TABLE);
    expect(t.load(changetype<usize>(b), 40, 1, 1)).toBe(STATUS_BAD_TABLE);
    store<u32>(changetype<usize>(b), 9, 36); // row 0 ends past row 1's end
    expect(t.load(changetype<usize>(b), 51, 1, 1)).toBe(STATUS_BAD_TABLE);
    store<u32>(changetype<usize>(b), 2, 4 * 1);
    store<u32>(changetype<usize>(b), 0x40000000, 4); // a huge row count must not wrap around
    expect(t.load(changetype<usize>(b), 51, 1, 1)).toBe(STATUS_BAD_TABLE);
  });
  it("accepts an empty table", () => {
    const b = new ArrayBuffer(20);
    const p = changetype<usize>(b);
    store<u32>(p, 1);
    store<u32>(p, 0, 4);
    store<u32>(p, 1, 8);
    store<u32>(p, 0, 12);
    store<u32>(p, 0, 16);
    const t = new Table();
    expect(t.load(p, 20, 1, 0)).toBe(STATUS_OK);
    expect(t.rows).toBe(0);
  });
});
