// package.json's bin must be a tracked, executable file: npx links the local project's command
// into its cache on the first `npx nrdot` in a clone, and a bin that only a build creates leaves a
// cached project without a command ("nrdot: not found") even after the build.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../e2e/collector.ts";

describe("package.json bin", () => {
  const bins: Record<string, string> = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).bin;
  const tracked = execFileSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" }).split("\n");

  for (const [name, path] of Object.entries(bins)) {
    it(`${name}: ${path} is in a fresh clone and executable`, () => {
      assert.ok(tracked.includes(path), `${path} is not tracked by git, so a clone has no ${name} until it is built`);
      assert.ok(statSync(join(repoRoot, path)).mode & 0o100, `${path} is not executable`);
    });
  }
});
