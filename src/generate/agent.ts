// A profile as the agent's collector config (DESIGN.md, "The data path"): real components only.
//   host_metrics (process scraper; exclusions pushed down as regexp)
//     metrics/ingest: memory_limiter -> cumulative_to_delta -> wasm/optimize (classify embedded)
//       routing/tier on resource attribute nrdot.tier
//         metrics/critical | metrics/standard | metrics/sampled: batch -> exporter
import { durationSeconds } from "../duration.ts";
import type { Profile } from "../profile/schema.ts";
import { OPERATIONS_EXTENSIONS, operationsExtensions, selfTelemetry } from "./operations.ts";

export type Backend = "file" | "newrelic";
/** Where an agent sends: a backend, or the gateway tier (gateway mode). */
export type AgentTarget = Backend | "gateway";

/** globToRegexp turns an exclusion glob into the anchored regexp the scraper's filter takes. */
export function globToRegexp(glob: string): string {
  return "^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$";
}

function optimizeConfig(p: Profile): Record<string, unknown> {
  return {
    // classify runs inside the optimizer: one table per batch, no attribute writes on the
    // resources that are rolled up (processors/optimize/README.md).
    classify: p.rules.length > 0 ? { rules: p.rules } : {},
    max_processes: p.max_processes,
    always_keep_top: p.always_keep_top,
    exclude: p.exclude,
    keep_tiers: p.keep_tiers,
    ...p.scoring,
    ...p.thresholds,
    degradation: p.degradation,
  };
}

/**
 * exporter is the exporter towards target: New Relic OTLP (key from the environment), a local
 * file, or the gateways through loadbalancing, keyed by resource so a process always lands on
 * one replica.
 */
export function exporter(backend: AgentTarget): [string, Record<string, unknown>] {
  if (backend === "gateway") {
    return ["loadbalancing", {
      routing_key: "resource",
      protocol: { otlp: { tls: { insecure: true }, compression: "zstd" } },
      resolver: { dns: { hostname: "${env:NRDOT_GATEWAY_HOST:-localhost}", port: "${env:NRDOT_GATEWAY_PORT:-4317}" } },
      sending_queue: { enabled: true, storage: "file_storage" },
    }];
  }
  if (backend === "newrelic") {
    return ["otlp_http/newrelic", {
      endpoint: "${env:NEW_RELIC_OTLP_ENDPOINT:-https://otlp.nr-data.net}",
      headers: { "api-key": "${env:NEW_RELIC_LICENSE_KEY}" },
      compression: "zstd",
      sending_queue: { enabled: true, storage: "file_storage" },
      retry_on_failure: { enabled: true },
    }];
  }
  return ["file", { path: "${env:NRDOT_DATA_DIR:-./data}/metrics.jsonl" }];
}

/**
 * staleness is how long cumulative_to_delta remembers a series it no longer sees. Its default (0)
 * remembers every series forever, and every process that exits leaves its series behind: on a
 * host with churn the state grows without bound. A process that is gone never comes back under
 * the same identity, so ten intervals, and at least five minutes, lose nothing.
 */
export function staleness(collectionInterval: string): string {
  return `${Math.max(300, Math.ceil(10 * (durationSeconds(collectionInterval) ?? 0)))}s`;
}

/**
 * hostMetrics is the process scrape every NRDOT config uses: uptime on (the optimizer's process
 * identity needs it), per-process errors muted, the excluded names never scraped.
 */
export function hostMetrics(interval: string, exclude: readonly string[] = []): Record<string, unknown> {
  return {
    collection_interval: interval,
    scrapers: {
      process: {
        mute_process_all_errors: true,
        metrics: { "process.uptime": { enabled: true } },
        ...(exclude.length > 0 ? { exclude: { match_type: "regexp", names: exclude.map(globToRegexp) } } : {}),
      },
    },
  };
}

export function agentConfig(p: Profile, backend: AgentTarget): Record<string, unknown> {
  const [exporterId, exporterCfg] = exporter(backend);
  const wasmDir = "${env:NRDOT_WASM_DIR:-./build/wasm}";
  const tierPipeline = (tier: "critical" | "standard" | "sampled") => ({
    receivers: ["routing/tier"], processors: [`batch/${tier}`], exporters: [exporterId],
  });
  const batch = (tier: "critical" | "standard" | "sampled") => ({ timeout: p.batch[tier].timeout, send_batch_size: p.batch[tier].size });
  return {
    receivers: { host_metrics: hostMetrics(p.collection_interval, p.exclude) },
    processors: {
      memory_limiter: { check_interval: "1s", limit_mib: p.memory_limit_mib, spike_limit_mib: Math.floor(p.memory_limit_mib / 4) },
      cumulative_to_delta: {
        include: { match_type: "strict", metrics: ["process.cpu.time", "process.disk.io"] },
        max_staleness: staleness(p.collection_interval),
      },
      "wasm/optimize": { module: `${wasmDir}/optimize.wasm`, storage: "file_storage", checkpoint_interval: "1m", config: optimizeConfig(p) },
      "batch/critical": batch("critical"),
      "batch/standard": batch("standard"),
      "batch/sampled": batch("sampled"),
    },
    connectors: {
      "routing/tier": {
        default_pipelines: ["metrics/standard"],
        error_mode: "ignore",
        table: [
          { context: "resource", condition: 'attributes["nrdot.tier"] == "critical"', pipelines: ["metrics/critical"] },
          { context: "resource", condition: 'attributes["nrdot.tier"] == "sampled"', pipelines: ["metrics/sampled"] },
        ],
      },
    },
    exporters: { [exporterId]: exporterCfg },
    extensions: operationsExtensions("localhost", "state"),
    service: {
      extensions: OPERATIONS_EXTENSIONS,
      telemetry: selfTelemetry("localhost"),
      pipelines: {
        "metrics/ingest": {
          receivers: ["host_metrics"],
          processors: ["memory_limiter", "cumulative_to_delta", "wasm/optimize"],
          exporters: ["routing/tier"],
        },
        "metrics/critical": tierPipeline("critical"),
        "metrics/standard": tierPipeline("standard"),
        "metrics/sampled": tierPipeline("sampled"),
      },
    },
  };
}
