// The optimization profile: short, typed YAML. This JSON schema is the contract; `extends` is
// resolved before validation, so the schema describes a complete profile.
const duration = { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" } as const;
const tier = { enum: ["critical", "important", "standard", "sampled"] } as const;
const batch = {
  type: "object", additionalProperties: false, required: ["timeout", "size"],
  properties: { timeout: duration, size: { type: "integer", minimum: 1, maximum: 1e7 } },
} as const;

/**
 * The process scraper's metrics (hostmetrics v0.158, processscraper/metadata.yaml): whether the
 * scraper sends each by default, whether it is a monotonic cumulative sum (a counter: generated
 * configs turn every enabled one into deltas before the optimizer), and whether the optimizer
 * needs it (always on; a profile cannot turn it off).
 */
export const PROCESS_METRICS: Record<string, { scraper: boolean; counter?: boolean; needed?: boolean }> = {
  "process.cpu.time": { scraper: true, counter: true, needed: true },
  "process.disk.io": { scraper: true, counter: true },
  "process.memory.usage": { scraper: true, needed: true },
  "process.memory.virtual": { scraper: true },
  "process.uptime": { scraper: false, needed: true }, // the optimizer's process identity needs it
  "process.context_switches": { scraper: false, counter: true },
  "process.disk.operations": { scraper: false, counter: true },
  "process.paging.faults": { scraper: false, counter: true },
  "process.cpu.utilization": { scraper: false },
  "process.memory.utilization": { scraper: false },
  "process.open_file_descriptors": { scraper: false },
  "process.signals_pending": { scraper: false },
  "process.threads": { scraper: false },
};

export const profileSchema = {
  $id: "https://nrdot.dev/schemas/profile.json",
  type: "object",
  additionalProperties: false,
  required: ["collection_interval", "memory_limit_mib", "max_processes", "always_keep_top", "exclude", "keep_tiers",
    "scoring", "thresholds", "rules", "degradation", "batch", "price_per_million_points"],
  properties: {
    extends: { type: "string" },
    collection_interval: duration,
    memory_limit_mib: { type: "integer", minimum: 32, maximum: 1048576 },
    // The ranges are the optimizer's own (processors/optimize/config.ts), so that `generate`
    // refuses what the module would refuse at `validate` or at the collector's start.
    max_processes: { type: "integer", minimum: 0, maximum: 1000000 },
    always_keep_top: { type: "integer", minimum: 0, maximum: 100 },
    exclude: { type: "array", items: { type: "string", minLength: 1 } },
    keep_tiers: { type: "array", items: tier, uniqueItems: true },
    scoring: {
      type: "object", additionalProperties: false,
      properties: {
        ewma_alpha: { type: "number", minimum: 0.01, maximum: 1 },
        hysteresis: { type: "number", minimum: 0, maximum: 10 },
        weights: {
          type: "object", additionalProperties: false,
          properties: { importance: { type: "number", minimum: 0, maximum: 1 }, cpu: { type: "number", minimum: 0, maximum: 1 }, memory: { type: "number", minimum: 0, maximum: 1 } },
        },
      },
    },
    thresholds: {
      type: "object", additionalProperties: false,
      properties: { min_cpu: { type: "number", minimum: 0, maximum: 1e6 }, min_memory_mib: { type: "number", minimum: 0, maximum: 1e9 }, min_age_seconds: { type: "number", minimum: 0, maximum: 1e9 } },
    },
    rules: {
      type: "array",
      items: {
        type: "object", additionalProperties: false, required: ["tier"],
        anyOf: [{ required: ["executable"] }, { required: ["command_line"] }, { required: ["owner"] }],
        properties: { executable: { type: "string" }, command_line: { type: "string" }, owner: { type: "string" }, tier, score: { type: "number", minimum: 0, maximum: 1 } },
      },
    },
    degradation: {
      type: "array",
      items: {
        type: "object", additionalProperties: false, required: ["pressure"],
        properties: { pressure: { type: "number", minimum: 0, maximum: 1 }, min_score: { type: "number", minimum: 0, maximum: 1 }, keep_fraction: { type: "number", minimum: 0, maximum: 1 }, critical_only: { type: "boolean" } },
      },
    },
    batch: { type: "object", additionalProperties: false, required: ["critical", "standard", "sampled"], properties: { critical: batch, standard: batch, sampled: batch } },
    price_per_million_points: { type: "number", minimum: 0, maximum: 1e6 },
    // Process metrics to turn on or off, over the scraper's defaults (PROCESS_METRICS).
    metrics: {
      type: "object", additionalProperties: false,
      properties: Object.fromEntries(Object.entries(PROCESS_METRICS).map(([m, d]) => [m, d.needed ? { const: true } : { type: "boolean" }])),
    },
  },
} as const;

export interface Profile {
  collection_interval: string;
  memory_limit_mib: number;
  max_processes: number;
  always_keep_top: number;
  exclude: string[];
  keep_tiers: string[];
  scoring: { ewma_alpha?: number; hysteresis?: number; weights?: { importance?: number; cpu?: number; memory?: number } };
  thresholds: { min_cpu?: number; min_memory_mib?: number; min_age_seconds?: number };
  rules: { executable?: string; command_line?: string; owner?: string; tier: string; score?: number }[];
  degradation: { pressure: number; min_score?: number; keep_fraction?: number; critical_only?: boolean }[];
  batch: Record<"critical" | "standard" | "sampled", { timeout: string; size: number }>;
  price_per_million_points: number;
  metrics?: Record<string, boolean>;
}

/** metricEnabled says whether the profile's scrape sends process metric m. */
export function metricEnabled(p: Pick<Profile, "metrics">, m: string): boolean {
  const d = PROCESS_METRICS[m];
  return d?.needed === true || (p.metrics?.[m] ?? d?.scraper ?? false);
}

export const BUILTIN_PROFILES = ["conservative", "balanced", "aggressive", "emergency"] as const;
