// Gateway mode (DESIGN.md, "Beyond one machine"): agents keep the per-process work and send what
// they keep to a gateway tier through the loadbalancing exporter, keyed by resource so a process
// always lands on one replica; the gateway batches, compresses, queues on disk and exports.
import type { Profile } from "../profile/schema.ts";
import { agentConfig, exporter, type Backend } from "./agent.ts";
import { OPERATIONS_EXTENSIONS, operationsExtensions, selfTelemetry } from "./operations.ts";

/** agentToGateway is the agent config sending to the gateways. */
export function agentToGateway(p: Profile): Record<string, unknown> {
  return agentConfig(p, "gateway");
}

export function gatewayConfig(p: Profile, backend: Backend): Record<string, unknown> {
  const [exporterId, exporterCfg] = exporter(backend);
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: "${env:NRDOT_GATEWAY_LISTEN:-0.0.0.0:4317}" } } } },
    processors: {
      memory_limiter: { check_interval: "1s", limit_mib: p.memory_limit_mib * 2, spike_limit_mib: Math.floor(p.memory_limit_mib / 2) },
      batch: { timeout: p.batch.standard.timeout, send_batch_size: p.batch.standard.size },
    },
    exporters: { [exporterId]: exporterCfg },
    extensions: operationsExtensions("0.0.0.0", "gateway-queue"),
    service: {
      extensions: OPERATIONS_EXTENSIONS,
      telemetry: selfTelemetry("0.0.0.0"),
      pipelines: { metrics: { receivers: ["otlp"], processors: ["memory_limiter", "batch"], exporters: [exporterId] } },
    },
  };
}
