// Applied golden vectors (test/vectors/README.md, "Applied vectors"): consecutive batches through
// the real module, decisions and applied output; the Go host checks the same files
// (collector/wasmprocessor/vectors_test.go, TestAppliedVectors).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Chain, type MetricsData } from "../../src/host/index.ts";
import { canonical, type CanonicalResource } from "./canonical.ts";
import { builtModule, repoRoot } from "./helpers.ts";

interface AppliedVector {
  description: string;
  module: string;
  config: Record<string, unknown>;
  score_attribute: string;
  batches: { input: MetricsData; decisions: { action: string; tier: string; score: number | null }[]; output: CanonicalResource[] }[];
}

const dir = join(repoRoot, "test/vectors/applied");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

describe("applied golden vectors", () => {
  it("exist", () => assert.ok(files.length >= 2, `${files.length} vectors in ${dir}`));
  for (const f of files) {
    it(f, async () => {
      const v = JSON.parse(readFileSync(join(dir, f), "utf8")) as AppliedVector;
      assert.deepEqual(Object.keys(v).sort(), ["batches", "config", "description", "module", "score_attribute"]);
      assert.ok(v.batches.length >= 3, "consecutive batches");
      const chain = await Chain.load([{ module: builtModule(v.module), config: v.config, scoreAttribute: v.score_attribute }]);
      v.batches.forEach((b, i) => {
        const { output, stages } = chain.run(b.input);
        const decisions = stages[0].decisions.map((d) => ({ action: d.action, tier: d.tier, score: Number.isNaN(d.score) ? null : d.score }));
        assert.deepEqual(decisions, b.decisions, `${f}: batch ${i} decisions`);
        assert.deepEqual(canonical(output.resourceMetrics), b.output, `${f}: batch ${i} output`);
      });
    });
  }
});
