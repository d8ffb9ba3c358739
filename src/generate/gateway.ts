// Gateway mode (docs/reference/architecture.md, "Agent and gateway"): agents keep the per-process work and send what
// they keep to a gateway tier through the load_balancing exporter, keyed by resource so a process
// always lands on one replica; the gateway queues on disk, batches inside that queue, compresses
// and exports. Nothing it has acknowledged waits in memory only (docs/operations/delivery.md).
import { durationSeconds } from "../duration.ts";
import type { Profile } from "../profile/schema.ts";
import { agentConfig, DELTA_TO_CUMULATIVE, deltaToCumulative, exporter, type Backend, type Batch } from "./agent.ts";
import { operations, PORTS, selfTelemetry } from "./operations.ts";

/**
 * agentToGateway is the agent config sending to the gateways. When the gateways serve Prometheus,
 * the agent holds no tier's batch longer than a second: a stream must reach the gateway's exporter
 * about once an interval, or its series would expire between updates (`other`, tier sampled,
 * would otherwise arrive every 30 s at the balanced profile).
 */
export function agentToGateway(p: Profile, backend: Backend = "newrelic"): Record<string, unknown> {
  if (backend !== "prometheus") return agentConfig(p, "gateway");
  const cap = (b: Batch) => ((durationSeconds(b.timeout) ?? 0) > 1 ? { ...b, timeout: "1s" } : b);
  return agentConfig({ ...p, batch: { critical: cap(p.batch.critical), standard: cap(p.batch.standard), sampled: cap(p.batch.sampled) } }, "gateway");
}

/**
 * gatewayConfig is the gateway towards backend. For Prometheus it turns the agents' deltas back
 * into counters (each resource always reaches one replica, so each replica sees whole streams)
 * and serves them for scraping. A push backend's exporter batches inside its persistent queue
 * (gateway-queue): the receiver acknowledges a request once it is on disk, never while it sits
 * in a batch processor's memory. The file backend writes each request through at once.
 */
export function gatewayConfig(p: Profile, backend: Backend): Record<string, unknown> {
  const [exporterId, exporterCfg] = exporter(backend, p.collection_interval, "0.0.0.0", p.batch.standard);
  const exporters = { [exporterId]: exporterCfg };
  // file_storage only where the exporter's queue uses it: no storage declared that nothing uses.
  const ops = operations("gateway", "0.0.0.0", "gateway-queue", exporters);
  const processors: Record<string, unknown> = {
    memory_limiter: { check_interval: "1s", limit_mib: p.memory_limit_mib * 2, spike_limit_mib: Math.floor(p.memory_limit_mib / 2) },
    ...(backend === "prometheus" ? { [DELTA_TO_CUMULATIVE]: deltaToCumulative(p.collection_interval) } : {}),
  };
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: `\${env:NRDOT_GATEWAY_LISTEN:-0.0.0.0:${PORTS.gateway.otlp}}` } } } },
    processors,
    exporters,
    extensions: ops.extensions,
    service: {
      extensions: ops.serviceExtensions,
      telemetry: selfTelemetry("gateway", "0.0.0.0"),
      pipelines: { metrics: { receivers: ["otlp"], processors: Object.keys(processors), exporters: [exporterId] } },
    },
  };
}
