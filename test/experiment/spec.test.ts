// Experiment specs: the example specs load; unknown keys, bad values and missing keys are user
// errors naming the file, the YAML path and the line, with a hint.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../src/errors.ts";
import { loadSpec } from "../../src/experiment/spec.ts";
import { repoRoot, run } from "../cli/run.ts";

const dir = mkdtempSync(join(tmpdir(), "nrdot-spec-"));
const write = (name: string, body: string) => {
  const f = join(dir, name);
  writeFileSync(f, body);
  return f;
};
const error = (f: string): UserError => {
  try {
    loadSpec(f);
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  assert.fail("no error");
};

describe("experiment spec", () => {
  it("loads every example in experiments/ with the defaults filled in", () => {
    const files = readdirSync(join(repoRoot, "experiments")).filter((f) => f.endsWith(".yaml"));
    assert.ok(files.length >= 2);
    for (const f of files) {
      const s = loadSpec(join(repoRoot, "experiments", f));
      assert.ok(s.hypothesis.length > 0);
      assert.equal(typeof s.criteria.alpha, "number");
    }
    const s = loadSpec(join(repoRoot, "experiments/aggressive-vs-balanced.yaml"));
    assert.deepEqual([s.control, s.treatment], ["balanced", "aggressive"]);
    assert.equal(s.criteria.min_cost_reduction, 0.2);
    assert.equal(s.criteria.top_n, 5);
    assert.equal(s.criteria.cost_unit, "points");
    assert.equal(s.statistics.resamples, 9999);
  });

  it("resolves a profile file relative to the spec", () => {
    const s = loadSpec(write("rel.yaml", "hypothesis: x\ncontrol: balanced\ntreatment: ./mine.yaml\ncriteria:\n  min_cost_reduction: 0.1\n"));
    assert.equal(s.treatment, join(dir, "mine.yaml"));
  });

  it("names an unknown key with its line and a did-you-mean", () => {
    const e = error(write("typo.yaml", "hypothesis: x\ncontrol: balanced\ntreatment: aggressive\ncriteria:\n  min_cost_reducton: 0.2\n"));
    assert.match(e.message, /typo\.yaml:5 \(criteria\.min_cost_reducton\): unknown key `min_cost_reducton`/);
    assert.equal(e.suggestion, "did you mean `min_cost_reduction`?");
    const top = error(write("typo2.yaml", "hypotesis: x\ncontrol: balanced\ntreatment: aggressive\ncriteria: {min_cost_reduction: 0.2}\n"));
    assert.equal(top.suggestion, "did you mean `hypothesis`?");
  });

  it("refuses bad values, missing keys and a spec without criteria", () => {
    assert.match(error(write("alpha.yaml", "hypothesis: x\ncontrol: balanced\ntreatment: aggressive\ncriteria:\n  alpha: 2\n  min_cost_reduction: 0.2\n")).message, /alpha\.yaml:5 \(criteria\.alpha\): must be <= 0\.5/);
    assert.match(error(write("unit.yaml", "hypothesis: x\ncontrol: balanced\ntreatment: aggressive\ncriteria:\n  cost_unit: euros\n  min_cost_reduction: 0.2\n")).message, /criteria\.cost_unit.*one of points, bytes, series/);
    assert.match(error(write("missing.yaml", "hypothesis: x\ncontrol: balanced\ncriteria: {min_cost_reduction: 0.2}\n")).message, /missing key `treatment`/);
    assert.match(error(write("none.yaml", "hypothesis: x\ncontrol: balanced\ntreatment: aggressive\ncriteria: {alpha: 0.05}\n")).message, /no success criterion/);
  });

  it("is a user error at the CLI (exit 1) with the hint", async () => {
    const r = await run(["experiment", "run", write("cli.yaml", "hypothesis: x\ncontrol: balanced\ntreatment: aggressive\ncriterias: {}\n"), "--input", "x.jsonl"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /unknown key `criterias`/);
    assert.match(r.err, /hint: did you mean `criteria`\?/);
  });
});
