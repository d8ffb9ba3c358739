// What the generators of checked-in files under deploy/kubernetes share (scripts/deploy-configs.ts,
// scripts/canary.ts): the CLI's `nrdot generate --mode gateway`, and writing their files or, with
// --check, listing the stale ones.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..");

/**
 * generateGateway runs `nrdot generate --mode gateway` into out and returns its agent and gateway
 * configs. The license key is left out of the environment: it would change the default backend.
 */
export function generateGateway(profile: string, backend: string, out: string): { agent: string; gateway: string } {
  const env = { ...process.env };
  delete env.NEW_RELIC_LICENSE_KEY;
  execFileSync(process.execPath, [join(ROOT, "src/bin/nrdot.mjs"), "generate", "--mode", "gateway", "--profile", profile, "--backend", backend, "-o", out],
    { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  return { agent: readFileSync(join(out, "agent.yaml"), "utf8"), gateway: readFileSync(join(out, "gateway.yaml"), "utf8") };
}

/**
 * writeFiles writes each changed file (paths relative to the repository) or, with check, writes
 * nothing and returns 1 when one is stale, naming the script that rewrites them.
 */
export function writeFiles(files: Iterable<[string, string]>, check: boolean, script: string): number {
  const stale: string[] = [];
  for (const [path, text] of files) {
    const abs = join(ROOT, path);
    let old = "";
    try { old = readFileSync(abs, "utf8"); } catch { /* new */ }
    if (old === text) continue;
    if (check) stale.push(path);
    else { mkdirSync(dirname(abs), { recursive: true }); writeFileSync(abs, text); console.log(`wrote ${path}`); }
  }
  if (stale.length > 0) {
    console.error(`stale (run node --import tsx ${script}):\n  ${stale.join("\n  ")}`);
    return 1;
  }
  return 0;
}
