// Every way a command line can be wrong is a named error with exit 1, never an internal error
// (exit 70, kept for bugs): a directory for a file, an existing file for an output folder, input
// that is not OTLP, a value out of range. A recording whose last line was cut off is read without it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, run } from "./run.ts";
import { generateHost } from "../fixtures/generate.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "nrdot-err-"));

/** refused asserts exit 1 with a message matching re, and nothing said of an internal error. */
function refused(r: { code: number; err: string }, re: RegExp): void {
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, re);
  assert.doesNotMatch(r.err, /internal error/);
}

describe("nrdot: named errors, exit 1", () => {
  it("a directory where a file is expected: --profile, validate, --input, --config", async () => {
    const d = tmp();
    refused(await run(["generate", "--profile", d, "-o", join(d, "out")]), new RegExp(`${d}: is a directory, not a profile file`));
    refused(await run(["validate", d, "--no-collector-check"]), new RegExp(`${d}: is a directory, not a config file`));
    refused(await run(["simulate", "--input", d]), new RegExp(`${d}: is a directory, not a recording`));
    refused(await run(["replay", "--input", d, "-o", join(d, "o.jsonl")]), new RegExp(`${d}: is a directory, not a recording`));
    const rec = join(d, "rec.jsonl");
    writeFileSync(rec, generateHost({ intervals: 2 }).map((b) => JSON.stringify(b)).join("\n") + "\n");
    refused(await run(["simulate", "--input", rec, "--config", d]), new RegExp(`${d}: is a directory, not a collector config`));
  });

  it("an output that cannot be written: generate -o onto a file, --output onto a directory", async () => {
    const d = tmp();
    const f = join(d, "file");
    writeFileSync(f, "x");
    refused(await run(["generate", "-o", f]), new RegExp(`-o ${f}: is a file; -o takes a folder`));
    mkdirSync(join(d, "out", "agent.yaml"), { recursive: true });
    refused(await run(["generate", "-o", join(d, "out")]), new RegExp(`${join(d, "out", "agent.yaml")}: cannot write -o: is a directory`));
    const rec = join(d, "rec.jsonl");
    writeFileSync(rec, generateHost({ intervals: 2 }).map((b) => JSON.stringify(b)).join("\n") + "\n");
    refused(await run(["simulate", "--input", rec, "--output", d]), new RegExp(`${d}: cannot write --output: is a directory`));
    refused(await run(["record", "--duration", "1s", "-o", d]), new RegExp(`${d}: cannot write -o: is a directory`));
  });

  it("simulate on JSON that is not OTLP, or on no data points, is an error", async () => {
    const d = tmp();
    const f = join(d, "not-otlp.jsonl");
    writeFileSync(f, '{"hello": "world"}\n{"hello": "again"}\n');
    refused(await run(["simulate", "--input", f]), new RegExp(`${f}:1: not OTLP/JSON metrics: want an object with a resourceMetrics array`));
    writeFileSync(f, '{"resourceMetrics": []}\n');
    refused(await run(["simulate", "--input", f]), new RegExp(`${f}: no OTLP metric data points in 1 line`));
    writeFileSync(f, "");
    refused(await run(["simulate", "--input", f]), /no OTLP metric data points/);
    writeFileSync(f, '{"resourceMetrics": []}\nnot json\n{"resourceMetrics": []}\n');
    refused(await run(["simulate", "--input", f]), new RegExp(`${f}:2: not JSON`));
  });

  it("a recording with its last line cut off: reported, skipped, the rest simulated", async () => {
    const d = tmp();
    const f = join(d, "cut.jsonl");
    const lines = generateHost({ intervals: 3 }).map((b) => JSON.stringify(b));
    writeFileSync(f, lines.join("\n") + "\n" + lines[0].slice(0, 1000));
    const out = join(d, "out.jsonl");
    const r = await run(["simulate", "--input", f, "--json", "--output", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`${f}:4: the last line is cut off \\(1000 characters, no newline after it\\): skipped`));
    assert.equal(readFileSync(out, "utf8").trim().split("\n").length, 3, "the three whole lines simulated");
    // A bad line that is not the last, or a last line with its newline, is not a cut-off: refused.
    writeFileSync(f, lines.join("\n") + "\n" + lines[0].slice(0, 1000) + "\n");
    refused(await run(["simulate", "--input", f]), new RegExp(`${f}:4: not JSON`));
  });

  it("checks the optimizer's ranges at generate, not first at validate", async () => {
    const d = tmp();
    for (const [key, value] of [["max_processes", "1e12"], ["max_processes", "1000001"], ["thresholds:\n  min_cpu", "1e7"], ["thresholds:\n  min_memory_mib", "1e10"],
      ["thresholds:\n  min_age_seconds", "1e10"], ["memory_limit_mib", "1e12"]]) {
      const f = join(d, "p.yaml");
      writeFileSync(f, `extends: balanced\n${key}: ${value}\n`);
      refused(await run(["generate", "--profile", f, "-o", join(d, "out")]), /must be <= /);
    }
    // The largest values generate accepts, the module accepts too.
    const f = join(d, "max.yaml");
    writeFileSync(f, "extends: balanced\nmax_processes: 1000000\nthresholds:\n  min_cpu: 1000000\n  min_memory_mib: 1000000000\n  min_age_seconds: 1000000000\n");
    const g = await run(["generate", "--profile", f, "-o", join(d, "max")]);
    assert.equal(g.code, 0, g.err);
    const v = await run(["validate", join(d, "max", "agent.yaml"), "--no-collector-check"], { NRDOT_DATA_DIR: d, NRDOT_WASM_DIR: join(repoRoot, "build/wasm") });
    assert.equal(v.code, 0, v.err);
  });
});
