#!/usr/bin/env node
// The nrdot command: the only file that touches the process (arguments, environment, working
// folder, streams, exit code). Its compiled form, dist/bin/nrdot.js, is what package.json's bin
// (nrdot.mjs) runs; src/bin/nrdot.mjs runs it from the sources through tsx.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Listing, main as Main } from "../cli.ts";

// dist/bin/ (compiled) and src/bin/ (sources) are both two folders below the package's root,
// which holds profiles/ and build/wasm/ (package.json's files).
const root = resolve(import.meta.dirname, "../..");

/** newestUnder is the latest modification time of a file under dir (0 when there is none). */
function newestUnder(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * cli loads the compiled CLI; in a clone whose sources changed since the last build (`make cli`),
 * the sources through tsx instead, so that `npx nrdot` never runs stale code there. An installed
 * package has no src/ and always takes the compiled path.
 */
async function cli(): Promise<{ main: typeof Main; list?: Listing }> {
  if (import.meta.filename.endsWith(".js")) {
    let stale = false;
    try {
      stale = newestUnder(join(root, "src")) > statSync(import.meta.filename).mtimeMs;
    } catch { /* no sources: an installed package */ }
    if (!stale) {
      // The commands' help lines, written by the build (scripts/cli-listing.mjs); without it
      // every command is loaded.
      let list: Listing | undefined;
      try {
        list = JSON.parse(readFileSync(join(import.meta.dirname, "../commands.json"), "utf8"));
      } catch { /* not written */ }
      return { main: (await import("../cli.ts")).main, list };
    }
    const { register } = await import("tsx/esm/api");
    register();
  }
  return { main: (await import(join(root, "src/cli.ts"))).main };
}

const { main, list } = await cli();
// The CLI's own WASM modules (simulate, validate, the collectors that record and replay start)
// are the package's unless NRDOT_WASM_DIR names others.
const env = { ...process.env };
if (!env.NRDOT_WASM_DIR) env.NRDOT_WASM_DIR = join(root, "build/wasm");
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env, cwd: process.cwd() }, list);
