import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeDecisions, encodeTable, parseColumns } from "../../src/host/index.ts";

describe("parseColumns", () => {
  it("reads attr and metric lines in order", () => {
    const c = parseColumns("attr process.executable.name\nmetric process.cpu.time sum\nattr process.owner\nmetric process.cpu.time start_time\n");
    assert.deepEqual(c.attrs, ["process.executable.name", "process.owner"]);
    assert.deepEqual(c.metrics, [{ name: "process.cpu.time", reduction: "sum" }, { name: "process.cpu.time", reduction: "start_time" }]);
  });
  it("refuses unknown lines and reductions, naming the line", () => {
    assert.throws(() => parseColumns("attr a\ncolumn b"), /line 2: "column b" is neither/);
    assert.throws(() => parseColumns("metric m avg"), /line 1: unknown reduction "avg"/);
  });
});

describe("encodeTable", () => {
  it("reproduces the worked example of docs/reference/abi.md byte for byte", () => {
    const cols = parseColumns("attr process.executable.name\nmetric process.cpu.time sum");
    const t = encodeTable(cols, [
      { attrs: { "process.executable.name": "pg" }, metrics: { "process.cpu.time:sum": 1.5 } },
      { attrs: { "process.executable.name": "nginx" }, metrics: { "process.cpu.time:sum": 0.25 } },
    ]);
    const hex = Buffer.from(t).toString("hex");
    assert.equal(t.length, 51);
    assert.equal(hex,
      "01000000" + "02000000" + "01000000" + "01000000" +
      "000000000000f83f" + "000000000000d03f" +
      "00000000" + "02000000" + "07000000" +
      Buffer.from("pgnginx").toString("hex"));
  });
  it("encodes missing values as empty strings and NaN, and UTF-8 by bytes", () => {
    const cols = parseColumns("attr a\nattr b\nmetric m max");
    const t = encodeTable(cols, [{ attrs: { a: "日本" }, metrics: {} }]);
    const v = new DataView(t.buffer);
    assert.ok(Number.isNaN(v.getFloat64(16, true)));
    // offsets: column a [0, 6], column b [6, 6]
    assert.deepEqual([v.getUint32(24, true), v.getUint32(28, true), v.getUint32(32, true), v.getUint32(36, true)], [0, 6, 6, 6]);
    assert.equal(Buffer.from(t.subarray(40)).toString("utf8"), "日本");
  });
  it("encodes an empty table", () => {
    const t = encodeTable(parseColumns("attr a"), []);
    assert.equal(t.length, 20);
  });
});

describe("decodeDecisions", () => {
  it("reads 16-byte records and marks unknown codes invalid", () => {
    const b = new Uint8Array(48);
    const v = new DataView(b.buffer);
    b[0] = 0; b[1] = 1; v.setFloat64(8, 0.75, true);
    b[16] = 2; b[17] = 4; v.setFloat64(24, NaN, true);
    b[32] = 7; b[33] = 1;
    const d = decodeDecisions(b, 3);
    assert.deepEqual(d[0], { action: "keep", tier: "critical", score: 0.75 });
    assert.equal(d[1].action, "rollup");
    assert.equal(d[1].tier, "sampled");
    assert.ok(Number.isNaN(d[1].score));
    assert.equal(d[2].invalid, true);
  });
});
