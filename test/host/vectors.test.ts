// Golden vectors (test/vectors/README.md): the TS host must decide what the Go host decides.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ACTIONS, loadInstance, TIERS, type Row } from "../../src/host/index.ts";
import { builtModule, repoRoot } from "./helpers.ts";

interface Vector {
  description: string;
  module: string;
  config: Record<string, unknown>;
  rows: Row[];
  expected: { action: string; tier: string; score: number | null }[];
}

const dir = join(repoRoot, "test/vectors");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function keys(v: unknown, want: string[], path: string): Record<string, unknown> {
  assert.ok(isObject(v), `${path}: want an object`);
  assert.deepEqual(Object.keys(v).sort(), [...want].sort(), `${path}: keys`);
  return v;
}

/** checkFormat holds a vector to the format both hosts read, so the Go host never trips on one. */
function checkFormat(v: unknown): Vector {
  const top = keys(v, ["description", "module", "config", "rows", "expected"], "vector");
  assert.ok(typeof top.description === "string" && top.description !== "", "description: a non-empty string");
  assert.ok(typeof top.module === "string" && /^[a-z0-9_-]+$/.test(top.module), "module: the name of a build/wasm module");
  assert.ok(isObject(top.config), "config: an object");
  assert.ok(Array.isArray(top.rows) && Array.isArray(top.expected), "rows, expected: arrays");
  assert.equal(top.expected.length, top.rows.length, "one expected entry per row");
  top.rows.forEach((row, i) => {
    const r = keys(row, ["attrs", "metrics"], `rows[${i}]`);
    assert.ok(isObject(r.attrs) && Object.values(r.attrs).every((s) => typeof s === "string"), `rows[${i}].attrs: strings`);
    assert.ok(isObject(r.metrics), `rows[${i}].metrics: an object`);
    for (const [key, value] of Object.entries(r.metrics)) {
      const m = /^(.+):(sum|max|start_time|time)$/.exec(key);
      assert.ok(m, `rows[${i}].metrics.${key}: want "<metric name>:<sum|max|start_time|time>"`);
      assert.ok(typeof value === "number" && Number.isFinite(value), `rows[${i}].metrics.${key}: a finite number`);
      // The Go host builds one data point per metric name: sum and max share its value, start_time
      // and time are its timestamps (0 means unset there).
      const other = r.metrics[`${m[1]}:${m[2] === "sum" ? "max" : "sum"}`];
      if (m[2] === "sum" || m[2] === "max") assert.ok(other === undefined || other === value, `rows[${i}].metrics.${key}: sum and max of one metric must be equal`);
      else assert.ok(value > 0, `rows[${i}].metrics.${key}: timestamps must be positive`);
    }
  });
  top.expected.forEach((e, i) => {
    const x = keys(e, ["action", "tier", "score"], `expected[${i}]`);
    assert.ok((ACTIONS as readonly unknown[]).includes(x.action), `expected[${i}].action: one of ${ACTIONS.join(", ")}`);
    assert.ok((TIERS as readonly unknown[]).includes(x.tier), `expected[${i}].tier: a tier name or ""`);
    assert.ok(x.score === null || (typeof x.score === "number" && Number.isFinite(x.score)), `expected[${i}].score: a number or null`);
  });
  return top as unknown as Vector;
}

describe("golden vectors", () => {
  it("exist", () => assert.ok(files.length >= 4, `${files.length} vectors in ${dir}`));
  it("say how to build a missing module", () => assert.throws(() => builtModule("no-such-module"), /no-such-module\.wasm is missing: run `make wasm` first/));
  for (const f of files) {
    it(f, async () => {
      const v = checkFormat(JSON.parse(readFileSync(join(dir, f), "utf8")));
      const inst = await loadInstance(builtModule(v.module), v.config);
      const got = inst.process(v.rows);
      assert.equal(got.length, v.rows.length);
      const wrong: string[] = [];
      got.forEach((d, i) => {
        const want = v.expected[i];
        const score = want.score === null ? Number.isNaN(d.score) : Math.abs(d.score - want.score) < 1e-9;
        if (d.action !== want.action || d.tier !== want.tier || !score || d.invalid) {
          wrong.push(`row ${i} ${JSON.stringify(v.rows[i].attrs)}: got ${d.action}/${d.tier}/${d.score}${d.invalid ? " (invalid record)" : ""}, want ${want.action}/${want.tier}/${want.score ?? "NaN"}`);
        }
      });
      assert.deepEqual(wrong, [], `${f}: ${v.description}`);
    });
  }
});
