// nrdot experiment live: both arms on this host's own scrapes, in one real collector. One
// host_metrics receiver fans out to three pipelines:
//   metrics/reference: unoptimized (the control's processing without wasm/optimize), to a local
//                      file: the truth for accuracy, never exported;
//   metrics/control:   the control's cumulative_to_delta -> wasm/optimize, to a file;
//   metrics/treatment: the treatment's, to a file.
// The CLI reads the three files, aligns the arms' output to the reference scrapes by their
// timestamps (src/replay/intervals.ts), and analyzes them as `experiment run` does.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { startCollector } from "../collector.ts";
import { durationSeconds } from "../duration.ts";
import { UserError } from "../errors.ts";
import { agentConfig, hostMetrics, type Backend } from "../generate/agent.ts";
import { parseMetricsJsonl, type MetricsData } from "../host/otlp.ts";
import { readTextFile } from "../io.ts";
import { loadProfile } from "../profile/load.ts";
import { metricEnabled, PROCESS_METRICS, type Profile } from "../profile/schema.ts";
import { waitReady } from "../replay/collector.ts";
import { alignToInput } from "../replay/intervals.ts";
import { analyze, type Result } from "./analyze.ts";
import { armSteps, measureOutputs } from "./run.ts";
import type { ExperimentSpec } from "./spec.ts";
import { ARMS, type Arm } from "./units.ts";

/** armProcessors is an arm's ingest processing from its generated agent config, renamed per arm. */
function armProcessors(cfg: any, arm: Arm | "reference"): { processors: Record<string, unknown>; order: string[] } {
  const ingest = (cfg.service.pipelines["metrics/ingest"].processors as string[])
    // The reference is the same processing without the optimizer: host.name, and counters turned
    // into deltas by the same rules, so a process born between the collector's start and its first
    // scrape counts alike on both sides.
    .filter((id) => arm !== "reference" || id.split("/")[0] !== "wasm");
  const processors: Record<string, unknown> = {};
  const order: string[] = [];
  for (const id of ingest) {
    const type = id.split("/")[0];
    if (type === "memory_limiter") continue; // one process: one limiter would stop both arms alike
    const p = structuredClone(cfg.processors[id]);
    // Both arms start cold: no state carried over from another run (nor left for the next one).
    delete p.state_directory;
    delete p.checkpoint_interval;
    const name = `${type}/${arm}`;
    processors[name] = p;
    order.push(name);
  }
  return { processors, order };
}

/** liveConfig is the collector config of a live experiment, writing into dir. */
export function liveConfig(control: Profile, treatment: Profile, interval: string, dir: string): Record<string, unknown> {
  for (const m of Object.keys(PROCESS_METRICS)) {
    if (metricEnabled(control, m) !== metricEnabled(treatment, m)) {
      throw new UserError(`${m}: the control and the treatment scrape different metrics`, "EXPERIMENT_LIVE", "a live experiment scrapes once for both arms: give both profiles the same `metrics`");
    }
  }
  // Both arms see every process either would scrape: the receiver excludes only what both exclude;
  // each optimizer rolls up its own exclusions.
  const exclude = control.exclude.filter((g) => treatment.exclude.includes(g));
  const cfgs = { control: agentConfig(control, "file") as any, treatment: agentConfig(treatment, "file") as any };
  const ref = armProcessors(cfgs.control, "reference");
  const processors: Record<string, unknown> = { ...ref.processors };
  const pipelines: Record<string, unknown> = { "metrics/reference": { receivers: ["host_metrics"], processors: ref.order, exporters: ["file/reference"] } };
  const exporters: Record<string, unknown> = { "file/reference": { path: join(dir, "reference.jsonl") } };
  for (const arm of ARMS) {
    const p = armProcessors(cfgs[arm], arm);
    Object.assign(processors, p.processors);
    exporters[`file/${arm}`] = { path: join(dir, `${arm}.jsonl`) };
    pipelines[`metrics/${arm}`] = { receivers: ["host_metrics"], processors: p.order, exporters: [`file/${arm}`] };
  }
  return {
    receivers: { host_metrics: hostMetrics(interval, exclude, control) },
    processors, exporters,
    service: { telemetry: { metrics: { level: "none" } }, pipelines },
  };
}

export interface LiveOptions {
  duration?: string;
  interval?: string;
  promoteTo: string;
  collector: string;
  backend?: Backend;
  /** keep the three streams here (default: a temporary folder, removed) */
  keep?: string;
}

export interface LiveResult { result: Result; promoted: boolean; message: string; dir?: string }

function seconds(d: string | undefined, flag: string): number | undefined {
  if (d === undefined) return undefined;
  const s = durationSeconds(d);
  if (!(s! > 0)) throw new UserError(`${flag} ${d}: expected a duration like 30s, 5m or 1h`, "EXPERIMENT_ARGS");
  return s;
}

function readStream(file: string): MetricsData[] {
  return parseMetricsJsonl(readTextFile(file, "stream", "INPUT_NOT_FOUND", "give the OTLP/JSON lines a file exporter wrote"), file);
}

/**
 * analyzeStreams analyzes three streams of the same scrapes: the unoptimized reference (one batch
 * per scrape) and each arm's output, aligned to it by timestamp. Whole scrapes only: a scrape the
 * reference has but an arm did not finish is left out. `live` writes such streams; so can any
 * deployment that runs the arms side by side (`experiment analyze`).
 */
export async function analyzeStreams(spec: ExperimentSpec, files: Record<Arm | "reference", string>, env: NodeJS.ProcessEnv, cwd = "."): Promise<Result> {
  let reference = readStream(files.reference);
  if (spec.intervals !== undefined) reference = reference.slice(0, spec.intervals);
  const outputs = Object.fromEntries(ARMS.map((a) => [a, alignToInput(reference, readStream(files[a]))])) as Record<Arm, MetricsData[]>;
  const complete = reference.map((_, i) => ARMS.every((a) => outputs[a][i].resourceMetrics.length > 0));
  const keep = (xs: MetricsData[]) => xs.filter((_, i) => complete[i]);
  reference = keep(reference);
  for (const a of ARMS) outputs[a] = keep(outputs[a]);
  if (reference.length === 0) throw new UserError(`${files.reference}: no scrape that both arms' outputs have too`, "EXPERIMENT_LIVE", "run longer, or check that the three streams come from the same scrapes");
  const m = await measureOutputs(spec, armSteps(spec, env), 0, reference, outputs);
  return analyze(spec, m.units, m.hogs, 1, cwd);
}

/** promote writes the treatment's agent config to file atomically: a temporary file, renamed. */
export function promote(file: string, spec: ExperimentSpec, treatment: Profile, backend: Backend): void {
  const header = `# Promoted by \`nrdot experiment live ${basename(spec.file)}\`: the treatment ${spec.treatment}\n# passed: ${spec.hypothesis}\n`;
  const tmp = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, header + stringify(agentConfig(treatment, backend), { lineWidth: 0 }));
  renameSync(tmp, file);
}

export async function runLive(spec: ExperimentSpec, opts: LiveOptions, env: NodeJS.ProcessEnv, cwd = "."): Promise<LiveResult> {
  const control = loadProfile(spec.control).profile;
  const treatment = loadProfile(spec.treatment).profile;
  const interval = opts.interval ?? spec.interval ?? control.collection_interval;
  const every = seconds(interval, "--interval")!;
  const duration = seconds(opts.duration, "--duration") ?? seconds(spec.duration, "duration") ?? (spec.intervals !== undefined ? spec.intervals * every : undefined);
  if (duration === undefined) throw new UserError("--duration: how long to run? (or give the spec `duration` or `intervals`)", "EXPERIMENT_ARGS");
  if (!existsSync(dirname(resolve(opts.promoteTo)))) throw new UserError(`--promote-to ${opts.promoteTo}: its folder does not exist`, "EXPERIMENT_ARGS");
  const dir = opts.keep ? resolve(opts.keep) : mkdtempSync(join(tmpdir(), "nrdot-live-"));
  mkdirSync(dir, { recursive: true });
  try {
    const cfgFile = join(dir, "live.yaml");
    const cfg = liveConfig(control, treatment, interval, dir);
    writeFileSync(cfgFile, stringify(cfg, { lineWidth: 0 }));
    for (const f of ["reference", ...ARMS]) writeFileSync(join(dir, `${f}.jsonl`), "");
    const run = startCollector(opts.collector, cfgFile, env);
    try {
      await waitReady(run, 60_000);
      await sleep(duration * 1000);
      run.assertAlive();
    } finally {
      await run.stop();
    }
    const result = await analyzeStreams(spec, { reference: join(dir, "reference.jsonl"), control: join(dir, "control.jsonl"), treatment: join(dir, "treatment.jsonl") }, env, cwd);
    const backend: Backend = opts.backend ?? (env.NEW_RELIC_LICENSE_KEY ? "newrelic" : "file");
    if (result.verdict === "pass") {
      promote(opts.promoteTo, spec, treatment, backend);
      return { result, promoted: true, message: `promoted: wrote the treatment's config (${backend} backend) to ${opts.promoteTo}`, dir: opts.keep };
    }
    const kept = existsSync(opts.promoteTo) ? `${opts.promoteTo} left as it was` : `${opts.promoteTo} not written`;
    return { result, promoted: false, message: `rolled back (${result.verdict}): ${kept}; ${result.reasons.join("; ")}`, dir: opts.keep };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
