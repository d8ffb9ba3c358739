// nrdot experiment run: both arms over the same recorded scrapes in the TS host (src/simulate),
// measured unit by unit against the recording, then analyzed.
import { UserError } from "../errors.ts";
import type { MetricsData } from "../host/otlp.ts";
import { readRecording } from "../io.ts";
import { simulate } from "../simulate/run.ts";
import { steps, type Step } from "../simulate/stages.ts";
import { analyze, type Result } from "./analyze.ts";
import type { ExperimentSpec } from "./spec.ts";
import { classifyConfigs, criticalTruth } from "./truth.ts";
import { measure, type Arm, type Hog, type Unit } from "./units.ts";

export function armSteps(spec: ExperimentSpec, env: NodeJS.ProcessEnv): Record<Arm, Step[]> {
  return { control: steps({ profile: spec.control }, env), treatment: steps({ profile: spec.treatment }, env) };
}

/** policies is what decides the critical truth: both arms' classify policies and the spec's rules. */
export function policies(spec: ExperimentSpec, arms: Record<Arm, Step[]>): { module: string; config: Record<string, unknown> }[] {
  const ps = [...classifyConfigs(arms.control), ...classifyConfigs(arms.treatment)];
  if (spec.truth.critical.length > 0 && ps.length > 0) ps.push({ module: ps[0].module, config: { rules: spec.truth.critical.map((r) => ({ ...r, tier: "critical" })), catalog: false } });
  return ps;
}

/** measureOutputs measures one host's recording and both arms' outputs (aligned to it). */
export async function measureOutputs(spec: ExperimentSpec, arms: Record<Arm, Step[]>, input: number, recording: MetricsData[], outputs: Record<Arm, MetricsData[]>): Promise<{ units: Unit[]; hogs: Hog[] }> {
  const critical = await criticalTruth(recording, policies(spec, arms));
  return measure(input, recording, outputs, critical, spec.criteria.top_n);
}

/** runExperiment runs both arms over each recording; warn hears of a recording's cut-off last line. */
export async function runExperiment(spec: ExperimentSpec, inputs: readonly string[], env: NodeJS.ProcessEnv, cwd: string, warn: (s: string) => void): Promise<Result> {
  if (inputs.length === 0) throw new UserError("--input: give at least one recording", "EXPERIMENT_ARGS", "record one with `nrdot record`");
  const arms = armSteps(spec, env);
  const units: Unit[] = [];
  const hogs: Hog[] = [];
  for (const [i, file] of inputs.entries()) {
    let recording = readRecording(file, warn);
    if (spec.intervals !== undefined) recording = recording.slice(0, spec.intervals);
    if (recording.length === 0) throw new UserError(`${file}: the recording has no scrapes`, "EXPERIMENT_ARGS");
    const control = await simulate(arms.control, recording);
    const treatment = await simulate(arms.treatment, recording);
    const m = await measureOutputs(spec, arms, i, recording, { control: control.output, treatment: treatment.output });
    units.push(...m.units);
    hogs.push(...m.hogs);
  }
  return analyze(spec, units, hogs, inputs.length, cwd);
}
