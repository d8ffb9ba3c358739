// Which processes are truly critical, independently of what either arm kept: classify's policy
// (the built-in catalog and each arm's own rules, as its optimizer embeds them, plus the spec's
// truth.critical rules) run over the unoptimized scrape in the TS host. A process is critical
// when any of these policies calls it critical.
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.ts";
import { Chain } from "../host/chain.ts";
import type { MetricsData } from "../host/otlp.ts";
import type { Step } from "../simulate/stages.ts";
import { processKey } from "./units.ts";

/** classifyConfigs are the classify policies a chain of steps applies, and where classify.wasm is. */
export function classifyConfigs(steps: readonly Step[]): { module: string; config: Record<string, unknown> }[] {
  const out: { module: string; config: Record<string, unknown> }[] = [];
  for (const s of steps) {
    if (s.kind !== "wasm") continue;
    if (basename(s.module) === "classify.wasm") out.push({ module: s.module, config: s.config });
    else if (s.config.classify && typeof s.config.classify === "object") out.push({ module: join(dirname(s.module), "classify.wasm"), config: s.config.classify as Record<string, unknown> });
  }
  return out;
}

/** criticalTruth is, per scrape, the processKeys any of the policies calls critical. */
export async function criticalTruth(recording: readonly MetricsData[], policies: readonly { module: string; config: Record<string, unknown> }[]): Promise<Set<string>[]> {
  const seen = new Set<string>();
  const chains: Chain[] = [];
  for (const p of policies) {
    const key = `${p.module}\u0000${JSON.stringify(p.config)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      chains.push(await Chain.load([{ module: p.module, config: p.config }]));
    } catch (e) {
      throw new UserError(`classify (for the critical truth): ${(e as Error).message}`, "EXPERIMENT_MODULE", "build the modules with `make wasm`, or set NRDOT_WASM_DIR");
    }
  }
  return recording.map((b) => {
    const crit = new Set<string>();
    for (const c of chains) {
      const { stages } = c.run(b);
      stages[0].decisions.forEach((d, i) => {
        const k = processKey(b.resourceMetrics[i]);
        if (d.tier === "critical" && k) crit.add(k);
      });
    }
    return crit;
  });
}
