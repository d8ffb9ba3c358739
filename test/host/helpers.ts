import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");
/** The Go host's test guests (sources beside them) serve the TS host's tests too. */
export const testModules = join(repoRoot, "collector/wasmprocessor/testdata/modules");

export function builtModule(name: string): string {
  const p = join(repoRoot, "build/wasm", `${name}.wasm`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`make wasm\` first`);
  return p;
}
