// Runs the steps of a config over recorded batches in the TypeScript host.
import { applyDecisions, batchRows, loadInstance, parseMetricsJsonl, valueString, type MetricsData, type WasmModule } from "../host/index.ts";
import { readFileSync, existsSync } from "node:fs";
import { UserError } from "../errors.ts";
import { CumulativeToDelta } from "./delta.ts";
import type { Step } from "./stages.ts";

export interface Simulation {
  /** the input as the wasm stages saw it (after cumulative_to_delta) */
  input: MetricsData[];
  /** one batch per recorded batch */
  output: MetricsData[];
  /** pids that any stage marked critical, per interval */
  critical: Set<string>[];
}

export function readRecording(file: string): MetricsData[] {
  if (!existsSync(file)) throw new UserError(`${file}: no such recording`, "INPUT_NOT_FOUND", "record one with the collector's file exporter (OTLP/JSON lines)");
  return parseMetricsJsonl(readFileSync(file, "utf8"), file);
}

export async function simulate(steps: Step[], batches: MetricsData[], pressure = 0): Promise<Simulation> {
  const runners: ((b: MetricsData, crit: Set<string>) => MetricsData)[] = [];
  const sim: Simulation = { input: [], output: [], critical: [] };
  for (const s of steps) {
    if (s.kind === "delta") {
      // The collector's start is the recording's first scrape: a process started after it is new.
      const d = new CumulativeToDelta(s.converts, { initialValue: s.initialValue });
      runners.push((b) => d.run(b));
      continue;
    }
    let inst: WasmModule;
    try {
      inst = await loadInstance(s.module, s.config, { memoryPressure: () => pressure });
    } catch (e) {
      throw new UserError(`${s.id}: ${(e as Error).message}`, "SIMULATE_MODULE", "build the modules with `make wasm`, or set NRDOT_WASM_DIR");
    }
    const cols = inst.columns();
    const options = { rollup: inst.rollup(), scoreAttribute: s.scoreAttribute };
    runners.push((b, crit) => {
      const out = applyDecisions(b.resourceMetrics, inst.process(batchRows(b.resourceMetrics, cols)), options).resourceMetrics;
      for (const rm of out) {
        const a = (k: string) => rm.resource?.attributes?.find((x) => x.key === k);
        const pid = a("process.pid");
        if (pid && a("nrdot.tier")?.value.stringValue === "critical") crit.add(valueString(pid.value));
      }
      return { resourceMetrics: out };
    });
  }
  for (const batch of batches) {
    let b = batch;
    const crit = new Set<string>();
    let seen = false;
    for (const [i, run] of runners.entries()) {
      if (!seen && steps[i].kind === "wasm") {
        sim.input.push(b);
        seen = true;
      }
      b = run(b, crit);
    }
    if (!seen) sim.input.push(b);
    sim.output.push(b);
    sim.critical.push(crit);
  }
  return sim;
}
