import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");
/** The Go host's test guests (sources beside them) serve the TS host's tests too. */
export const testModules = join(repoRoot, "collector/wasmprocessor/testdata/modules");

/** builtModule is build/wasm/<name>.wasm, or an error saying how to build it. */
export function builtModule(name: string): string {
  const p = join(repoRoot, "build/wasm", `${name}.wasm`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`make wasm\` first`);
  return p;
}

/** tempFile writes bytes into a fresh temporary directory and returns the file's path. */
export function tempFile(name: string, bytes: Uint8Array | string): string {
  const p = join(mkdtempSync(join(tmpdir(), "nrdot-host-")), name);
  writeFileSync(p, bytes);
  return p;
}

/** PROCESS_ROLLUP is the roll-up classify, optimize and the scripted test guest declare. */
export const PROCESS_ROLLUP_TEXT = "group host.name\nstrip process.\nstrip nrdot.\nset process.executable.name string other\n" +
  "set nrdot.rollup bool true\nset nrdot.tier string sampled\ncount nrdot.rollup.count\n";
