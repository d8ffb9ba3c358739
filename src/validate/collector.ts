// The real collector's `validate`: strict unmarshal, each component's Validate, the graph built.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { UserError } from "../errors.ts";

export function collectorValidate(bin: string, files: string[], env: NodeJS.ProcessEnv): string | undefined {
  if (!existsSync(bin)) throw new UserError(`${bin}: the collector binary is missing`, "COLLECTOR_MISSING", "build it with `make build`, or pass --collector PATH");
  const r = spawnSync(bin, ["validate", ...files.flatMap((f) => ["--config", f])], { env, encoding: "utf8", timeout: 60_000 });
  if (r.status === 0) return undefined;
  return (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n").filter((l) => !/^\d{4}-\d\d-\d\dT/.test(l)).join("\n") || r.stderr.trim();
}
