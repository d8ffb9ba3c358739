import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeDecisions, decodeTable, encodeDecisions, encodeRows, encodeTable, parseColumns, rowsToTable } from "../../src/host/index.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("encodeTable", () => {
  it("reproduces the worked example of docs/reference/abi.md byte for byte", () => {
    const cols = parseColumns("attr process.executable.name\nmetric process.cpu.time sum");
    const t = encodeRows(cols, [
      { attrs: { "process.executable.name": "pg" }, metrics: { "process.cpu.time:sum": 1.5 } },
      { attrs: { "process.executable.name": "nginx" }, metrics: { "process.cpu.time:sum": 0.25 } },
    ]);
    assert.equal(t.length, 0x33);
    assert.equal(hex(t), [
      "01000000 02000000 01000000 01000000", // 00: version 1, R=2, S=1, N=1
      "00000000 0000f83f", // 10: 1.5
      "00000000 0000d03f", // 18: 0.25
      "00000000 02000000 07000000", // 20: offsets 0, 2, 7
      "70676e67 696e78", // 2c: "pg" "nginx"
    ].join("").replaceAll(" ", ""));
  });

  it("encodes an empty batch as the header and one offset per string column", () => {
    assert.equal(hex(encodeRows(parseColumns(""), [])), "01000000" + "00000000" + "00000000" + "00000000");
    const t = encodeRows(parseColumns("attr a\nattr b\nmetric m sum"), []);
    assert.equal(hex(t), "01000000" + "00000000" + "02000000" + "01000000" + "00000000" + "00000000");
    assert.deepEqual(decodeTable(t), { rows: 0, numbers: [new Float64Array()], strings: [[], []] });
  });

  it("encodes missing values as empty strings and NaN, and UTF-8 by bytes", () => {
    const cols = parseColumns("attr a\nattr b\nmetric m max");
    const t = encodeRows(cols, [{ attrs: { a: "日本" }, metrics: {} }, { attrs: { b: "😀é" }, metrics: { "m:max": -0 } }]);
    const v = new DataView(t.buffer);
    assert.ok(Number.isNaN(v.getFloat64(16, true)));
    assert.ok(Object.is(v.getFloat64(24, true), -0));
    // offsets: column a [0, 6, 6], column b [6, 6, 12]; "日本" is 6 bytes, "😀é" 4 + 2
    const offsets = Array.from({ length: 6 }, (_, i) => v.getUint32(32 + 4 * i, true));
    assert.deepEqual(offsets, [0, 6, 6, 6, 6, 12]);
    assert.equal(Buffer.from(t.subarray(56)).toString("utf8"), "日本😀é");
    assert.equal(t.length, 56 + 12);
    assert.deepEqual(decodeTable(t).strings, [["日本", ""], ["", "😀é"]]);
  });

  it("takes only own properties of a row", () => {
    const t = rowsToTable(parseColumns("attr constructor\nmetric toString sum"), [{ attrs: {}, metrics: {} }]);
    assert.deepEqual(t.strings, [[""]]);
    assert.ok(Number.isNaN(t.numbers[0][0]));
  });

  it("round-trips through decodeTable", () => {
    const data = { rows: 3, numbers: [Float64Array.of(1, NaN, -2.5), Float64Array.of(1e300, 0, 5e-324)], strings: [["a", "", "ç"], ["x y", "\n", ""]] };
    const back = decodeTable(encodeTable(data));
    assert.equal(back.rows, 3);
    assert.deepEqual(back.strings, data.strings);
    assert.deepEqual(Array.from(back.numbers[0]), Array.from(data.numbers[0]));
    assert.deepEqual(Array.from(back.numbers[1]), Array.from(data.numbers[1]));
  });

  it("refuses a column whose length differs from the row count", () => {
    assert.throws(() => encodeTable({ rows: 2, numbers: [], strings: [["a"]] }), /1 values for 2 rows/);
  });
});

describe("decodeTable", () => {
  const good = encodeRows(parseColumns("attr a\nmetric m sum"), [{ attrs: { a: "xy" }, metrics: { "m:sum": 1 } }]);
  it("refuses what a guest answers BAD_TABLE to", () => {
    assert.throws(() => decodeTable(good.subarray(0, 10)), /shorter than the 16-byte header/);
    assert.throws(() => decodeTable(good.subarray(0, good.length - 1)), /runs past the end/);
    assert.throws(() => decodeTable(new Uint8Array([...good, 0])), /length is 35, the table ends at 34/);
    const v2 = good.slice();
    v2[0] = 2;
    assert.throws(() => decodeTable(v2), /version 2/);
    const backwards = good.slice();
    new DataView(backwards.buffer).setUint32(24, 1, true);
    assert.throws(() => decodeTable(backwards), /starts at 1, want 0/);
  });
});

describe("decisions", () => {
  it("reads 16-byte records and marks unknown codes invalid", () => {
    const b = new Uint8Array(64);
    const v = new DataView(b.buffer);
    b[0] = 0; b[1] = 1; v.setFloat64(8, 0.75, true);
    b[16] = 2; b[17] = 4; v.setFloat64(24, NaN, true);
    b[32] = 3; b[33] = 1;
    b[48] = 1; b[49] = 5;
    const d = decodeDecisions(b, 4);
    assert.deepEqual(d[0], { action: "keep", tier: "critical", score: 0.75 });
    assert.equal(d[1].action, "rollup");
    assert.equal(d[1].tier, "sampled");
    assert.ok(Number.isNaN(d[1].score));
    assert.deepEqual(d[2], { action: "keep", tier: "", score: NaN, invalid: true });
    assert.equal(d[3].invalid, true);
  });

  it("round-trips through encodeDecisions", () => {
    const ds = [{ action: "drop", tier: "", score: NaN }, { action: "keep", tier: "important", score: 0.8 }] as const;
    const b = encodeDecisions(ds);
    assert.equal(hex(b.subarray(0, 16)), "0100000000000000" + "000000000000f87f");
    assert.deepEqual(decodeDecisions(b, 2), ds);
  });

  it("refuses too few bytes", () => {
    assert.throws(() => decodeDecisions(new Uint8Array(16), 2), /16 bytes of decisions for 2 rows/);
  });
});
