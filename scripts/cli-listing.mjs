// Writes dist/commands.json: every command's help line, so that the compiled CLI lists its
// commands without importing them (src/cli.ts). Run after `tsc -p tsconfig.build.json`.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const dist = resolve(import.meta.dirname, "../dist");
const { listing } = await import(join(dist, "cli.js"));
const quiet = { write: () => true };
writeFileSync(join(dist, "commands.json"), JSON.stringify(await listing({ stdout: quiet, stderr: quiet, env: {} }), null, 1) + "\n");
