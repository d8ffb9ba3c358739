// The experiment spec: a hypothesis, two arms (profiles) and success criteria, as short YAML.
// This JSON schema is the contract (docs/experiments/framework.md defines every criterion);
// unknown keys and bad values are errors naming the file, the YAML path and the line, with a
// "did you mean" hint, as for profiles.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { isMap, LineCounter, parseDocument } from "yaml";
import { UserError, where } from "../errors.ts";
import { dataPath, lineOf, unknownKeyError, type Source } from "../yaml-source.ts";
import { durationSeconds } from "../duration.ts";
import { BUILTIN_PROFILES } from "../profile/schema.ts";

const duration = { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" } as const;
const fraction = { type: "number", minimum: 0, maximum: 1 } as const;
const rule = {
  type: "object", additionalProperties: false,
  anyOf: [{ required: ["executable"] }, { required: ["command_line"] }, { required: ["owner"] }],
  properties: { executable: { type: "string" }, command_line: { type: "string" }, owner: { type: "string" } },
} as const;

export const COST_UNITS = ["points", "bytes", "series"] as const;
export type CostUnit = (typeof COST_UNITS)[number];

export const experimentSchema = {
  $id: "https://nrdot.dev/schemas/experiment.json",
  type: "object",
  additionalProperties: false,
  required: ["hypothesis", "control", "treatment", "criteria"],
  properties: {
    hypothesis: { type: "string", minLength: 1 },
    control: { type: "string", minLength: 1 },
    treatment: { type: "string", minLength: 1 },
    // What the report shows; the criteria are checked whatever this says.
    metrics: { type: "array", uniqueItems: true, items: { enum: ["cost", "totals_error", "top_recall", "critical_recall", "hog_latency"] } },
    // live: how long to run (--duration overrides); run: ignored.
    duration,
    // run: use at most this many intervals of each recording; live: stop after this many scrapes.
    intervals: { type: "integer", minimum: 1 },
    // live: the scrape interval (default: the control profile's collection_interval).
    interval: duration,
    criteria: {
      type: "object", additionalProperties: false,
      properties: {
        min_cost_reduction: { type: "number", minimum: -1, maximum: 1 },
        cost_unit: { enum: COST_UNITS },
        max_totals_error: { type: "number", minimum: 0 },
        min_critical_recall: fraction,
        min_top_recall: fraction,
        top_n: { type: "integer", minimum: 1, maximum: 100 },
        max_hog_latency: { type: "integer", minimum: 0 },
        alpha: { type: "number", exclusiveMinimum: 0, maximum: 0.5 },
        min_power: { type: "number", minimum: 0, exclusiveMaximum: 1 },
      },
    },
    statistics: {
      type: "object", additionalProperties: false,
      properties: {
        seed: { type: "integer", minimum: 0 },
        resamples: { type: "integer", minimum: 99, maximum: 1_000_000 },
        block: { type: "integer", minimum: 1 },
        margins: {
          type: "object", additionalProperties: false,
          properties: { min_cost_reduction: { type: "number", exclusiveMinimum: 0, maximum: 1 }, min_top_recall: { type: "number", exclusiveMinimum: 0, maximum: 1 } },
        },
      },
    },
    truth: {
      type: "object", additionalProperties: false,
      properties: { critical: { type: "array", items: rule } },
    },
    // The fleet canary's guard rails on the collectors' own telemetry (scripts/canary.ts writes
    // Flagger MetricTemplates from them; min_cost_reduction above gives the ratio's threshold).
    canary: {
      type: "object", additionalProperties: false,
      properties: {
        max_send_failure_ratio: fraction,
        max_p99_latency_ms: { type: "number", exclusiveMinimum: 0 },
        interval: duration,
        iterations: { type: "integer", minimum: 1 },
        threshold: { type: "integer", minimum: 1 },
      },
    },
  },
} as const;

export interface Criteria {
  min_cost_reduction?: number;
  cost_unit: CostUnit;
  max_totals_error?: number;
  min_critical_recall?: number;
  min_top_recall?: number;
  top_n: number;
  max_hog_latency?: number;
  alpha: number;
  min_power: number;
}

export interface ExperimentSpec {
  hypothesis: string;
  /** as written, and resolved to a built-in name or an absolute profile file */
  control: string;
  treatment: string;
  metrics?: string[];
  duration?: string;
  intervals?: number;
  interval?: string;
  criteria: Criteria;
  statistics: { seed: number; resamples: number; block: number; margins: { min_cost_reduction: number; min_top_recall: number } };
  truth: { critical: { executable?: string; command_line?: string; owner?: string }[] };
  /** the fleet canary's thresholds and schedule (Flagger), defaults filled in */
  canary: { max_send_failure_ratio: number; max_p99_latency_ms: number; interval: string; iterations: number; threshold: number };
  /** the spec file */
  file: string;
}

export const DEFAULTS = {
  criteria: { cost_unit: "points", top_n: 5, alpha: 0.05, min_power: 0.8 },
  statistics: { seed: 1, resamples: 9999, block: 1, margins: { min_cost_reduction: 0.05, min_top_recall: 0.02 } },
  canary: { max_send_failure_ratio: 0.001, max_p99_latency_ms: 100, interval: "1m", iterations: 10, threshold: 2 },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(experimentSchema);

/** resolveArm is a built-in profile name as is, or a profile file relative to the spec's folder. */
export function resolveArm(nameOrFile: string, specFile: string): string {
  return (BUILTIN_PROFILES as readonly string[]).includes(nameOrFile) ? nameOrFile : resolve(dirname(specFile), nameOrFile);
}

/** loadSpec reads and checks an experiment spec, with the defaults filled in. */
export function loadSpec(file: string): ExperimentSpec {
  if (!existsSync(file)) throw new UserError(`${file}: no such experiment spec`, "EXPERIMENT_NOT_FOUND", "see experiments/ for examples");
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UserError(`${where(file, undefined, e.linePos?.[0].line)}: ${e.message.split("\n")[0]}`, "EXPERIMENT_YAML", "fix the YAML syntax");
  }
  if (!isMap(doc.contents)) throw new UserError(`${file}: an experiment spec is a YAML mapping of keys`, "EXPERIMENT_SHAPE", "see experiments/aggressive-vs-balanced.yaml");
  const src = { file, doc, lines };
  const raw = doc.toJS() as Record<string, any>;
  if (!validate(raw)) throw schemaError(src, validate.errors ?? []);
  return complete(raw, src);
}

function complete(raw: Record<string, any>, src: Source): ExperimentSpec {
  const file = src.file;
  const criteria: Criteria = { ...DEFAULTS.criteria, ...raw.criteria };
  const stats = raw.statistics ?? {};
  const spec: ExperimentSpec = {
    ...raw,
    hypothesis: raw.hypothesis,
    control: resolveArm(raw.control, file),
    treatment: resolveArm(raw.treatment, file),
    criteria,
    statistics: { ...DEFAULTS.statistics, ...stats, margins: { ...DEFAULTS.statistics.margins, ...stats.margins } },
    truth: { critical: raw.truth?.critical ?? [] },
    canary: { ...DEFAULTS.canary, ...raw.canary },
    file,
  };
  const stated = ["min_cost_reduction", "max_totals_error", "min_critical_recall", "min_top_recall", "max_hog_latency"].filter((k) => (criteria as any)[k] !== undefined);
  if (stated.length === 0) {
    throw new UserError(`${where(file, "criteria", lineOf(src, ["criteria"]))}: no success criterion`, "EXPERIMENT_INVALID",
      "give at least one of min_cost_reduction, max_totals_error, min_critical_recall, min_top_recall, max_hog_latency");
  }
  if (spec.duration !== undefined && !(durationSeconds(spec.duration)! > 0)) throw new UserError(`${where(file, "duration", lineOf(src, ["duration"]))}: must be > 0`, "EXPERIMENT_INVALID");
  return spec;
}

function schemaError(src: Source, errors: ErrorObject[]): UserError {
  const e = errors.find((x) => x.keyword === "additionalProperties") ?? errors.find((x) => x.keyword === "required") ?? errors[0];
  if (e.keyword === "additionalProperties") return unknownKeyError(src, experimentSchema, e, "EXPERIMENT_UNKNOWN_KEY");
  const path = dataPath(e);
  if (e.keyword === "required") {
    const key = String((e.params as { missingProperty: string }).missingProperty);
    return new UserError(`${where(src.file, path.join(".") || undefined, lineOf(src, path))}: missing key \`${key}\``, "EXPERIMENT_INVALID",
      "see experiments/aggressive-vs-balanced.yaml for a complete spec");
  }
  const name = path.join(".") || "(spec)";
  const allowed = e.keyword === "enum" ? ` (one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})` : "";
  return new UserError(`${where(src.file, name, lineOf(src, path))}: ${e.message}${allowed}`, "EXPERIMENT_INVALID",
    "see docs/experiments/framework.md for every key");
}

