// Runs the steps of a config over recorded batches in the TypeScript host.
import { ATTR_TIER, Chain, resourceAttr, type MetricsData } from "../host/index.ts";
import { UserError } from "../errors.ts";
import { CumulativeToDelta } from "./delta.ts";
import type { Step } from "./stages.ts";

export interface Simulation {
  /** one batch per recorded batch */
  output: MetricsData[];
  /** pids that any stage marked critical, per interval */
  critical: Set<string>[];
}

export async function simulate(steps: Step[], batches: MetricsData[], pressure = 0): Promise<Simulation> {
  const runners: ((b: MetricsData, crit: Set<string>) => MetricsData)[] = [];
  for (const s of steps) {
    if (s.kind === "delta") {
      // The collector's start is the recording's first scrape: a process started after it is new.
      const d = new CumulativeToDelta(s.converts, { initialValue: s.initialValue });
      runners.push((b) => d.run(b));
      continue;
    }
    let chain: Chain;
    try {
      chain = await Chain.load([{ module: s.module, config: s.config, scoreAttribute: s.scoreAttribute }], { memoryPressure: () => pressure });
    } catch (e) {
      throw new UserError(`${s.id}: ${(e as Error).message}`, "SIMULATE_MODULE", "build the modules with `make wasm`, or set NRDOT_WASM_DIR");
    }
    runners.push((b, crit) => {
      const { output, stages } = chain.run(b);
      // Critical by the stage's decision or by the tier it came with, read on the input: a
      // critical process the stage rolls up has no pid in the output, and it is what the
      // report's "critical dropped" must count.
      const { decisions } = stages[0];
      b.resourceMetrics.forEach((rm, i) => {
        const pid = resourceAttr(rm, "process.pid");
        if (pid !== undefined && (decisions[i].tier === "critical" || resourceAttr(rm, ATTR_TIER) === "critical")) crit.add(pid);
      });
      return output;
    });
  }
  const sim: Simulation = { output: [], critical: [] };
  for (const batch of batches) {
    const crit = new Set<string>();
    sim.output.push(runners.reduce((b, run) => run(b, crit), batch));
    sim.critical.push(crit);
  }
  return sim;
}
