// Only the bin touches the process: commands get the arguments, environment, working folder and
// streams through Io (src/io.ts), so they run the same in tests, in-process, and installed.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "./run.ts";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("the process", () => {
  it("is touched by src/bin only", () => {
    const touching: string[] = [];
    for (const f of files(join(repoRoot, "src"))) {
      const rel = relative(repoRoot, f);
      if (rel.startsWith("src/bin/")) continue;
      readFileSync(f, "utf8").split("\n").forEach((line, i) => {
        const code = line.replace(/\/\*.*?\*\//g, "").replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
        if (/\bprocess\.(argv|env|exit|exitCode|stdout|stderr|stdin|cwd|chdir)\b/.test(code)) touching.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(touching, [], "take it from the Io the bin passes (io.env, io.cwd, io.stdout, io.stderr)");
  });
});
