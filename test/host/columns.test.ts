import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { metricKey, parseColumns } from "../../src/host/index.ts";

describe("parseColumns", () => {
  it("reads attr and metric lines in order", () => {
    const c = parseColumns("attr process.executable.name\nmetric process.cpu.time sum\nattr process.owner\nmetric process.cpu.time start_time\nmetric process.memory.usage max\nmetric process.cpu.time time\n");
    assert.deepEqual(c.attrs, ["process.executable.name", "process.owner"]);
    assert.deepEqual(c.metrics.map(metricKey), ["process.cpu.time:sum", "process.cpu.time:start_time", "process.memory.usage:max", "process.cpu.time:time"]);
  });

  it("reads an empty declaration as no columns", () => {
    assert.deepEqual(parseColumns(""), { attrs: [], metrics: [] });
  });

  it("refuses unknown lines and reductions, naming the line", () => {
    assert.throws(() => parseColumns("attr a\ncolumn b"), /line 2: "column b" is neither `attr <key>` nor `metric <name> <reduction>`/);
    assert.throws(() => parseColumns("metric m avg"), /line 1: unknown reduction "avg" \(want sum, max, start_time or time\)/);
    assert.throws(() => parseColumns("attr"), /line 1: "attr" is neither/);
    assert.throws(() => parseColumns("attr a b"), /line 1/, "keys have no spaces");
    assert.throws(() => parseColumns("metric m"), /line 1/, "a metric needs its reduction");
    assert.throws(() => parseColumns("attr  a"), /line 1/, "fields are separated by one space");
  });
});
