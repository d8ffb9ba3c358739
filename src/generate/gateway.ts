// Gateway mode (DESIGN.md, "Beyond one machine"): agents keep the per-process work and send what
// they keep to a gateway tier through the loadbalancing exporter, keyed by resource so a process
// always lands on one replica; the gateway batches, compresses, queues on disk and exports.
import { durationSeconds } from "../duration.ts";
import type { Profile } from "../profile/schema.ts";
import { agentConfig, DELTA_TO_CUMULATIVE, deltaToCumulative, exporter, type Backend } from "./agent.ts";
import { OPERATIONS_EXTENSIONS, operationsExtensions, selfTelemetry } from "./operations.ts";

/**
 * agentToGateway is the agent config sending to the gateways. When the gateways serve Prometheus,
 * the agent holds no tier's batch longer than a second: a stream must reach the gateway's exporter
 * about once an interval, or its series would expire between updates (`other`, tier sampled,
 * would otherwise arrive every 30 s at the balanced profile).
 */
export function agentToGateway(p: Profile, backend: Backend = "newrelic"): Record<string, unknown> {
  if (backend !== "prometheus") return agentConfig(p, "gateway");
  const cap = (b: { timeout: string; size: number }) => ((durationSeconds(b.timeout) ?? 0) > 1 ? { ...b, timeout: "1s" } : b);
  return agentConfig({ ...p, batch: { critical: cap(p.batch.critical), standard: cap(p.batch.standard), sampled: cap(p.batch.sampled) } }, "gateway");
}

/**
 * gatewayConfig is the gateway towards backend. For Prometheus it turns the agents' deltas back
 * into counters (each resource always reaches one replica, so each replica sees whole streams)
 * and serves them for scraping, without batching.
 */
export function gatewayConfig(p: Profile, backend: Backend): Record<string, unknown> {
  const [exporterId, exporterCfg] = exporter(backend, p.collection_interval, "0.0.0.0");
  const last: [string, Record<string, unknown>] = backend === "prometheus"
    ? [DELTA_TO_CUMULATIVE, deltaToCumulative(p.collection_interval)]
    : ["batch", { timeout: p.batch.standard.timeout, send_batch_size: p.batch.standard.size }];
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: "${env:NRDOT_GATEWAY_LISTEN:-0.0.0.0:4317}" } } } },
    processors: {
      memory_limiter: { check_interval: "1s", limit_mib: p.memory_limit_mib * 2, spike_limit_mib: Math.floor(p.memory_limit_mib / 2) },
      [last[0]]: last[1],
    },
    exporters: { [exporterId]: exporterCfg },
    extensions: operationsExtensions("0.0.0.0", "gateway-queue"),
    service: {
      extensions: OPERATIONS_EXTENSIONS,
      telemetry: selfTelemetry("0.0.0.0"),
      pipelines: { metrics: { receivers: ["otlp"], processors: ["memory_limiter", last[0]], exporters: [exporterId] } },
    },
  };
}
