// A chain of modules run the way the collector runs consecutive `wasm` processors: each stage
// reduces the resources to its columns, decides, and the decisions are applied before the next.
import type { Decision } from "./abi.ts";
import { applyDecisions, type ApplyOptions, type Outcome } from "./apply.ts";
import { loadInstance, type HostOptions, type WasmModule } from "./module.ts";
import { batchRows, type MetricsData } from "./otlp.ts";

/** Stage is one `wasm` processor: its module file, its `config` map and its `score_attribute`. */
export interface Stage {
  module: string;
  config?: Record<string, unknown>;
  /** the resource attribute kept resources get their score in; none by default */
  scoreAttribute?: string;
}

export interface StageResult {
  decisions: Decision[];
  outcome: Outcome;
  /**
   * gauges: what the stage's module has reported with nrdot.report_gauge, by name, after this
   * batch (e.g. optimize's degradation_level: 0 none, n = index + 1 of the highest level in force).
   */
  gauges: Record<string, number>;
}

export class Chain {
  private constructor(readonly instances: WasmModule[], private readonly applyOptions: ApplyOptions[]) {}

  /**
   * load loads and configures every stage's module, in order. Like the Go processor, each stage
   * logs once per metric name (at warn, through options.log) that a rolled-up resource kept it.
   */
  static async load(stages: readonly Stage[], options: HostOptions = {}): Promise<Chain> {
    const instances: WasmModule[] = [];
    const applyOptions: ApplyOptions[] = [];
    for (const s of stages) {
      const inst = await loadInstance(s.module, s.config ?? {}, options);
      instances.push(inst);
      applyOptions.push({ rollup: inst.rollup(), scoreAttribute: s.scoreAttribute, unsummable: warnOnce(s.module, options.log) });
    }
    return new Chain(instances, applyOptions);
  }

  /** run passes one batch through every stage; the input is not modified. */
  run(batch: MetricsData): { output: MetricsData; stages: StageResult[] } {
    let rms = batch.resourceMetrics;
    const stages: StageResult[] = [];
    for (const [i, inst] of this.instances.entries()) {
      const decisions = inst.process(batchRows(rms, inst.columns()));
      const applied = applyDecisions(rms, decisions, this.applyOptions[i]);
      stages.push({ decisions, outcome: applied.outcome, gauges: Object.fromEntries(inst.gauges()) });
      rms = applied.resourceMetrics;
    }
    return { output: { resourceMetrics: rms }, stages };
  }
}

const LOG_WARN = 2;

/** warnOnce tells log, once per metric name, that a rolled-up resource kept the metric. */
export function warnOnce(module: string, log?: (level: number, message: string) => void): ((metric: string) => void) | undefined {
  if (!log) return undefined;
  const warned = new Set<string>();
  return (metric) => {
    if (warned.has(metric)) return;
    warned.add(metric);
    log(LOG_WARN, `${module}: a rolled-up resource keeps ${metric}, which the roll-up cannot sum (a monotonic cumulative sum, ` +
      "histogram or summary); put it through cumulative_to_delta before this processor, or drop it");
  };
}
