// Golden vectors (test/vectors/README.md): the TS host must decide what the Go host decides.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadInstance, type Row } from "../../src/host/index.ts";
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

describe("golden vectors", () => {
  it("exist", () => assert.ok(files.length >= 4));
  for (const f of files) {
    it(f, async () => {
      const v: Vector = JSON.parse(readFileSync(join(dir, f), "utf8"));
      assert.equal(v.expected.length, v.rows.length, "one expected entry per row");
      const inst = await loadInstance(builtModule(v.module), v.config);
      const got = inst.process(v.rows);
      got.forEach((d, i) => {
        const want = v.expected[i];
        assert.equal(d.action, want.action, `row ${i} action`);
        assert.equal(d.tier, want.tier, `row ${i} tier`);
        if (want.score === null) assert.ok(Number.isNaN(d.score), `row ${i} score`);
        else assert.ok(Math.abs(d.score - want.score) < 1e-9, `row ${i} score: ${d.score} != ${want.score}`);
      });
    });
  }
});
