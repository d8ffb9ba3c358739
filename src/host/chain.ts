// A chain of modules run the way the collector runs consecutive `wasm` processors: each stage
// reduces the resources to its columns, decides, and the decisions are applied before the next.
import type { Decision } from "./abi.ts";
import { applyDecisions, type Outcome } from "./apply.ts";
import { loadInstance, type HostOptions, type WasmModule } from "./module.ts";
import { batchRows, type MetricsData } from "./otlp.ts";

/** Stage is one `wasm` processor: its module file and its `config` map. */
export interface Stage {
  module: string;
  config?: Record<string, unknown>;
}

export interface StageResult {
  decisions: Decision[];
  outcome: Outcome;
}

export class Chain {
  private constructor(readonly instances: WasmModule[]) {}

  /** load loads and configures every stage's module, in order. */
  static async load(stages: readonly Stage[], options: HostOptions = {}): Promise<Chain> {
    const instances: WasmModule[] = [];
    for (const s of stages) instances.push(await loadInstance(s.module, s.config ?? {}, options));
    return new Chain(instances);
  }

  /** run passes one batch through every stage; the input is not modified. */
  run(batch: MetricsData): { output: MetricsData; stages: StageResult[] } {
    let rms = batch.resourceMetrics;
    const stages: StageResult[] = [];
    for (const inst of this.instances) {
      const decisions = inst.process(batchRows(rms, inst.columns()));
      const applied = applyDecisions(rms, decisions);
      stages.push({ decisions, outcome: applied.outcome });
      rms = applied.resourceMetrics;
    }
    return { output: { resourceMetrics: rms }, stages };
  }
}
