// Component ids ("type/name") and their types, with the names the collector used before v0.15x
// mapped to the canonical ones, so a config written either way gets the same checks.
const ALIASES: Record<string, string> = {
  hostmetrics: "host_metrics",
  cumulativetodelta: "cumulative_to_delta",
  deltatocumulative: "delta_to_cumulative",
  otlphttp: "otlp_http",
  loadbalancing: "load_balancing",
  healthcheck: "health_check",
  otlpjsonfile: "otlp_json_file",
};

/** componentType is the canonical type of a component id: "hostmetrics/x" -> "host_metrics". */
export function componentType(id: string): string {
  const type = id.split("/")[0];
  return ALIASES[type] ?? type;
}
