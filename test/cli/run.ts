// Runs the nrdot CLI in-process and captures what it prints and its exit code.
import { join } from "node:path";
import { main } from "../../src/cli.ts";

export const repoRoot = join(import.meta.dirname, "../..");

/**
 * run calls the CLI with args. The environment is the process's with the repository's modules
 * and no New Relic key (so generated configs use the file exporter), then `env`.
 */
export async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { ...process.env, NEW_RELIC_LICENSE_KEY: "", NRDOT_WASM_DIR: join(repoRoot, "build/wasm"), ...env },
  });
  return { code, out, err };
}
