// nrdot experiment run on seeded synthetic hosts where the answer is known: a treatment that
// clearly cuts cost without losing accuracy passes, the same pair swapped fails, and a treatment
// that changes nothing but noise is inconclusive. Exit codes 0, 3, 4; --json and --html.
// About 45 s: three simulated hosts, both arms, three times.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../cli/run.ts";
import { generateHost, writeJsonl } from "../fixtures/generate.ts";

describe("nrdot experiment run: known answers", () => {
  const dir = mkdtempSync(join(tmpdir(), "nrdot-exp-"));
  const inputs: string[] = [];
  const spec = (name: string, body: string) => {
    const f = join(dir, `${name}.yaml`);
    writeFileSync(f, body);
    return f;
  };
  before(() => {
    // Three hosts (one recording each), 12 scrapes, ~360 processes, as the scraper records them.
    for (const seed of [1, 2, 3]) {
      const f = join(dir, `host-${seed}.jsonl`);
      writeJsonl(f, generateHost({ intervals: 12, seed, scale: 0.3, temporality: "cumulative" }));
      inputs.push("--input", f);
    }
    writeFileSync(join(dir, "wide.yaml"), "extends: balanced\nmax_processes: 60\n");
    writeFileSync(join(dir, "narrow.yaml"), "extends: balanced\nmax_processes: 10\n");
    // Smoothing changes which of many similar workers are kept, not how many: noise only.
    writeFileSync(join(dir, "smooth.yaml"), "extends: balanced\nscoring:\n  ewma_alpha: 0.6\n");
  });
  const criteria = `criteria:
  min_cost_reduction: 0.2
  max_totals_error: 0.005
  min_critical_recall: 1.0
  min_top_recall: 0.95
  max_hog_latency: 0
  alpha: 0.05
  min_power: 0.8
`;

  it("passes a treatment that is clearly better (exit 0), with every criterion's estimate, interval and outcome", async () => {
    const html = join(dir, "better.html");
    const r = await run(["experiment", "run", spec("better", `hypothesis: ten ranked processes cost 20% less than sixty and lose nothing\ncontrol: ./wide.yaml\ntreatment: ./narrow.yaml\n${criteria}`), ...inputs, "--json", "--html", html]);
    assert.equal(r.code, 0, r.err + r.out);
    const j = JSON.parse(r.out);
    assert.equal(j.verdict, "pass");
    assert.deepEqual(Object.keys(j.criteria).sort(), ["max_hog_latency", "max_totals_error", "min_cost_reduction", "min_critical_recall", "min_top_recall"]);
    for (const c of Object.values<any>(j.criteria)) {
      assert.equal(c.outcome, "pass", JSON.stringify(c));
      assert.equal(typeof c.estimate, "number");
      assert.equal(c.interval.length, 2);
    }
    const cost = j.criteria.min_cost_reduction;
    assert.ok(cost.estimate > 0.2 && cost.interval[0] > 0.2 && cost.interval[0] <= cost.estimate && cost.estimate <= cost.interval[1], JSON.stringify(cost));
    assert.ok(cost.p_value <= 0.05 && cost.power >= 0.8 && cost.effect_size.rank_biserial > 0.9, JSON.stringify(cost));
    assert.equal(j.units, 36);
    assert.equal(j.timeline.length, 12);
    const page = readFileSync(html, "utf8");
    assert.match(page, /<svg/);
    assert.match(page, /PASS/);
  });

  it("fails the same pair swapped (exit 3) and says why", async () => {
    const r = await run(["experiment", "run", spec("worse", `hypothesis: sixty ranked processes cost less than ten\ncontrol: ./narrow.yaml\ntreatment: ./wide.yaml\n${criteria}`), ...inputs]);
    assert.equal(r.code, 3, r.err + r.out);
    assert.match(r.out, /verdict: FAIL/);
    assert.match(r.out, /min_cost_reduction failed/);
  });

  it("is inconclusive when the arms differ by noise only (exit 4)", async () => {
    const r = await run(["experiment", "run", spec("noise", `hypothesis: faster smoothing saves bytes\ncontrol: balanced\ntreatment: ./smooth.yaml\ncriteria:\n  min_cost_reduction: 0\n  cost_unit: bytes\n  max_totals_error: 0.005\n`), ...inputs, "--json"]);
    assert.equal(r.code, 4, r.err + r.out);
    const j = JSON.parse(r.out);
    assert.equal(j.verdict, "inconclusive");
    const c = j.criteria.min_cost_reduction;
    assert.equal(c.outcome, "inconclusive");
    assert.ok(c.interval[0] < 0 && c.interval[1] > 0, JSON.stringify(c));
    assert.ok(c.p_value > 0.05 && c.p_value_violated > 0.05);
    assert.ok(Math.abs(c.effect_size.rank_biserial) < 0.3);
  });

  it("reads a recording whose last line was cut off as simulate does: warns, skips it", async () => {
    const f = join(dir, "cut.jsonl");
    writeFileSync(f, readFileSync(inputs[1], "utf8") + '{"resourceMetrics": [{"reso');
    const r = await run(["experiment", "run", spec("cut", `hypothesis: x\ncontrol: ./wide.yaml\ntreatment: ./narrow.yaml\n${criteria}`), "--input", f]);
    assert.notEqual(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`${f}:13: the last line is cut off .*: skipped`));
  });

  it("refuses a missing recording as a user error (exit 1)", async () => {
    const r = await run(["experiment", "run", spec("x", `hypothesis: x\ncontrol: balanced\ntreatment: aggressive\ncriteria: {min_cost_reduction: 0.1}\n`), "--input", join(dir, "nope.jsonl")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /nope\.jsonl: no such recording/);
    assert.ok(!existsSync(join(dir, "nope.jsonl")));
    const a = await run(["experiment", "analyze", join(dir, "x.yaml"), "--reference", join(dir, "nope.jsonl"), "--control", "c", "--treatment", "t"]);
    assert.equal(a.code, 1);
    assert.match(a.err, /nope\.jsonl: no such stream/);
  });
});
