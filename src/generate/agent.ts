// A profile as the agent's collector config (docs/reference/architecture.md, "The data path"): real components only.
//   host_metrics (process scraper; exclusions pushed down as regexp)
//     metrics/ingest: memory_limiter -> resource_detection (host.name) -> cumulative_to_delta
//                     -> wasm/optimize (classify embedded)
//   push backends (newrelic, otlp, file), delta temporality:
//       routing/tier on resource attribute nrdot.tier
//         metrics/critical | metrics/standard | metrics/sampled: batch -> exporter
//   gateway mode: the same routing, each tier to its own load_balancing exporter that batches
//       inside its persistent queue (nothing waits in memory before it is on disk)
//   prometheus (pull), cumulative temporality:
//       -> delta_to_cumulative -> prometheus exporter (series expire after ~1.5 intervals)
// docs/backends.md explains the choice; docs/operations/ what each setting protects against.
import { durationSeconds } from "../duration.ts";
import { metricEnabled, PROCESS_METRICS, type Profile } from "../profile/schema.ts";
import { operations, PORTS, selfTelemetry, WASM_STATE_DIRECTORY } from "./operations.ts";
import { memoryLimiter, pressureLimit } from "./memory.ts";

export const BACKENDS = ["newrelic", "otlp", "prometheus", "file"] as const;
export type Backend = (typeof BACKENDS)[number];
/** Where an agent sends: a backend, or the gateway tier (gateway mode). */
export type AgentTarget = Backend | "gateway";
/** A profile's batch for one tier. */
export type Batch = { timeout: string; size: number };

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
 * persistentQueue is an exporter's sending_queue on disk (file_storage): a batch leaves the disk
 * only once the next hop has acknowledged it. With batch, the exporter batches inside the queue,
 * so nothing waits in a batch processor's memory before it is on disk.
 */
export function persistentQueue(batch?: Batch): Record<string, unknown> {
  return {
    enabled: true, storage: "file_storage",
    ...(batch ? { batch: { flush_timeout: batch.timeout, min_size: batch.size, sizer: "items" } } : {}),
  };
}

/**
 * exporter is the exporter towards backend: New Relic OTLP (key from the environment), any OTLP
 * endpoint, a Prometheus scrape endpoint (series expire after metricExpiration(interval)), or a
 * local file. The push exporters queue on disk, batching inside the queue when batch is given.
 */
export function exporter(backend: Backend, interval = "10s", listen = "localhost", batch?: Batch): [string, Record<string, unknown>] {
  if (backend === "newrelic") {
    return ["otlp_http/newrelic", {
      endpoint: "${env:NEW_RELIC_OTLP_ENDPOINT:-https://otlp.nr-data.net}",
      headers: { "api-key": "${env:NEW_RELIC_LICENSE_KEY}" },
      compression: "zstd",
      sending_queue: persistentQueue(batch),
      retry_on_failure: { enabled: true },
    }];
  }
  if (backend === "otlp") {
    // OTLP/HTTP: the endpoint's scheme says whether TLS is used; gzip is what every OTLP
    // receiver accepts.
    return ["otlp_http", {
      endpoint: "${env:NRDOT_OTLP_ENDPOINT:-http://localhost:4318}",
      compression: "gzip",
      sending_queue: persistentQueue(batch),
      retry_on_failure: { enabled: true },
    }];
  }
  if (backend === "prometheus") {
    return ["prometheus", {
      endpoint: `\${env:NRDOT_PROMETHEUS_ENDPOINT:-${listen}:9464}`,
      resource_to_telemetry_conversion: { enabled: true },
      metric_expiration: metricExpiration(interval),
    }];
  }
  // rotation: the file is opened for appending (a restart keeps what is there), each export is
  // written through at once (no buffer a kill would lose), and the disk it takes is bounded.
  // The exporter refuses `append` and `rotation` together; rotation appends by itself.
  // create_directory: exporters start first, and nothing else creates a fresh data dir (no
  // file_storage without a queue; the wasm processor makes its state_directory later).
  return ["file", { path: "${env:NRDOT_DATA_DIR:-./data}/metrics.jsonl", create_directory: true, rotation: { max_megabytes: 100, max_backups: 5 } }];
}

/**
 * gatewayExporter is a load_balancing exporter to the gateways, keyed by resource so a process
 * always lands on one replica, that batches inside its persistent queue: a batch is taken off the
 * disk only once the gateway has acknowledged it, so a kill of the agent or of the gateway loses
 * nothing (the gateway may get a batch twice: at least once). The per-endpoint OTLP exporters keep
 * no queue and do not retry of their own: they would hold data in memory that the persistent queue
 * has already let go of; retrying is the outer exporter's.
 */
export function gatewayExporter(batch: Batch): Record<string, unknown> {
  return {
    routing_key: "resource",
    protocol: { otlp: { tls: { insecure: true }, compression: "zstd", sending_queue: { enabled: false }, retry_on_failure: { enabled: false } } },
    resolver: { dns: { hostname: "${env:NRDOT_GATEWAY_HOST:-localhost}", port: `\${env:NRDOT_GATEWAY_PORT:-${PORTS.gateway.otlp}}` } },
    sending_queue: persistentQueue(batch),
    retry_on_failure: { enabled: true, max_elapsed_time: "0s" },
  };
}

/**
 * metricExpiration is how long the prometheus exporter serves a series nobody updates. A process
 * the optimizer rolls into `other` stops being updated while `other` already counts it: as long
 * as its last values are served, its memory is counted twice. So the series must go within about
 * two intervals; but a kept process is updated once an interval, give or take the scrape's own
 * duration, so never sooner than one interval plus a margin (half an interval, at least 5 s), or
 * kept series would flicker. 10s -> 15s, 5s -> 10s, 1m -> 90s.
 */
export function metricExpiration(interval: string): string {
  const i = durationSeconds(interval) ?? 10;
  return `${Math.ceil(i + Math.max(i / 2, 5))}s`;
}

/**
 * deltaToCumulative turns the optimized deltas back into counters for a pull backend. A stream
 * (a kept process, or a host's `other`) it no longer sees is forgotten after the same staleness
 * as cumulative_to_delta's: long after the exporter stopped serving it, so a process that is
 * rolled up for a while and kept again continues its counter instead of looking reset, and the
 * state stays bounded on a host with churn.
 */
export function deltaToCumulative(interval: string): Record<string, unknown> {
  return { max_stale: staleness(interval) };
}

/** counters are the monotonic cumulative process metrics the profile's scrape sends. */
export function counters(p: Pick<Profile, "metrics">): string[] {
  return Object.entries(PROCESS_METRICS).filter(([m, d]) => d.counter && metricEnabled(p, m)).map(([m]) => m);
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
 * identity needs it), the profile's metrics on or off, per-process errors muted, the excluded
 * names never scraped.
 */
export function hostMetrics(interval: string, exclude: readonly string[] = [], p: Pick<Profile, "metrics"> = {}): Record<string, unknown> {
  const metrics: Record<string, { enabled: boolean }> = {};
  for (const [m, d] of Object.entries(PROCESS_METRICS)) if (metricEnabled(p, m) !== d.scraper) metrics[m] = { enabled: metricEnabled(p, m) };
  return {
    collection_interval: interval,
    scrapers: {
      process: {
        mute_process_all_errors: true,
        metrics,
        ...(exclude.length > 0 ? { exclude: { match_type: "regexp", names: exclude.map(globToRegexp) } } : {}),
      },
    },
  };
}

/** DELTA_TO_CUMULATIVE is contrib's deltatocumulative processor, by its canonical type name. */
export const DELTA_TO_CUMULATIVE = "delta_to_cumulative";

/**
 * resourceDetection names the host on every resource before the optimizer: behind a gateway the
 * roll-up (one `other` per host) and every backend query need host.name. The environment first
 * (OTEL_RESOURCE_ATTRIBUTES: the Kubernetes manifests set the node's name there), then the OS's
 * hostname; a resource that already has host.name keeps it (override: false).
 */
export function resourceDetection(): Record<string, unknown> {
  return {
    detectors: ["env", "system"],
    override: false,
    system: { hostname_sources: ["os"], resource_attributes: { "os.type": { enabled: false } } },
  };
}

const TIERS = ["critical", "standard", "sampled"] as const;

export function agentConfig(p: Profile, backend: AgentTarget): Record<string, unknown> {
  const wasmDir = "${env:NRDOT_WASM_DIR:-./build/wasm}";
  const ingest = {
    memory_limiter: memoryLimiter(p.memory_limit_mib),
    resource_detection: resourceDetection(),
    cumulative_to_delta: {
      include: { match_type: "strict", metrics: counters(p) },
      max_staleness: staleness(p.collection_interval),
    },
    // The optimizer's snapshots in the processor's own state file, in a directory of its own;
    // the exporters' queues keep file_storage (`state`, where they have always been).
    "wasm/optimize": { module: `${wasmDir}/optimize.wasm`, state_directory: WASM_STATE_DIRECTORY, checkpoint_interval: "1m", ...pressureLimit(p.memory_limit_mib), config: optimizeConfig(p) },
  };
  const ingestPipeline = (processors: string[], exporters: string[]) => ({ "metrics/ingest": { receivers: ["host_metrics"], processors, exporters } });
  let out: { processors: Record<string, unknown>; connectors?: Record<string, unknown>; exporters: Record<string, unknown>; pipelines: Record<string, unknown> };
  if (backend === "prometheus") {
    // Pulled, not pushed: no batching by tier (a scrape takes whatever is current), counters
    // again cumulative as Prometheus expects.
    const [id, cfg] = exporter(backend, p.collection_interval);
    const processors = { ...ingest, [DELTA_TO_CUMULATIVE]: deltaToCumulative(p.collection_interval) };
    out = { processors, exporters: { [id]: cfg }, pipelines: ingestPipeline(Object.keys(processors), [id]) };
  } else {
    // Pushed: routed by tier, each tier batched on its own. Gateway mode: each tier batches in its
    // own exporter's persistent queue, none in memory.
    const toGateway = backend === "gateway";
    const [id, cfg] = toGateway ? ["load_balancing", undefined] : exporter(backend, p.collection_interval);
    const tierExporter = (tier: string) => (toGateway ? `${id}/${tier}` : id);
    out = {
      processors: {
        ...ingest,
        ...(toGateway ? {} : Object.fromEntries(TIERS.map((t) => [`batch/${t}`, { timeout: p.batch[t].timeout, send_batch_size: p.batch[t].size }]))),
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
      exporters: toGateway ? Object.fromEntries(TIERS.map((t) => [tierExporter(t), gatewayExporter(p.batch[t])])) : { [id]: cfg },
      pipelines: {
        ...ingestPipeline(Object.keys(ingest), ["routing/tier"]),
        ...Object.fromEntries(TIERS.map((t) => [`metrics/${t}`,
          { receivers: ["routing/tier"], processors: toGateway ? [] : [`batch/${t}`], exporters: [tierExporter(t)] }])),
      },
    };
  }
  // file_storage only where an exporter's queue uses it (not with the prometheus or file backend).
  const ops = operations("agent", "localhost", "state", out.exporters);
  return {
    receivers: { host_metrics: hostMetrics(p.collection_interval, p.exclude, p) },
    processors: out.processors,
    ...(out.connectors ? { connectors: out.connectors } : {}),
    exporters: out.exporters,
    extensions: ops.extensions,
    service: { extensions: ops.serviceExtensions, telemetry: selfTelemetry("agent", "localhost"), pipelines: out.pipelines },
  };
}
