// The real collector's `validate`: strict unmarshal, each component's Validate, the graph built.
import { spawnSync } from "node:child_process";
import { requireCollector } from "../collector.ts";

export function collectorValidate(bin: string, files: string[], env: NodeJS.ProcessEnv): string | undefined {
  requireCollector(bin);
  const r = spawnSync(bin, ["validate", ...files.flatMap((f) => ["--config", f])], { env, encoding: "utf8", timeout: 60_000 });
  if (r.status === 0) return undefined;
  return (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n").filter((l) => !/^\d{4}-\d\d-\d\dT/.test(l)).join("\n") || r.stderr.trim();
}
