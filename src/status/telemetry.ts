// The collector telemetry `nrdot status` and deploy/monitoring read: series names exactly as the
// collector's Prometheus reader on :8888 exposes them (no `_total`, no unit suffix; seen with
// `curl localhost:8888/metrics` on bin/nrdot-collector, docs/operations/monitoring.md).

export const M = {
  // the collector's own, per processor (label processor, otel_signal)
  incoming: "otelcol_processor_incoming_items",
  outgoing: "otelcol_processor_outgoing_items",
  // the wasm processor's (label processor)
  rowsIn: "otelcol_processor_wasm_rows_in",
  rowsKept: "otelcol_processor_wasm_rows_kept",
  rowsDropped: "otelcol_processor_wasm_rows_dropped",
  rowsRolledUp: "otelcol_processor_wasm_rows_rolled_up",
  rowsPassedThrough: "otelcol_processor_wasm_rows_passed_through",
  traps: "otelcol_processor_wasm_traps",
  deadlines: "otelcol_processor_wasm_deadlines",
  moduleErrors: "otelcol_processor_wasm_module_errors",
  breakerOpen: "otelcol_processor_wasm_breaker_open",
  breakerTransitions: "otelcol_processor_wasm_breaker_transitions",
  pressure: "otelcol_processor_wasm_memory_pressure",
  degradationLevel: "otelcol_processor_wasm_degradation_level",
  stateResets: "otelcol_processor_wasm_state_resets",
  nonfinite: "otelcol_processor_wasm_nonfinite_values",
  callDuration: "otelcol_processor_wasm_call_duration",
  // exporters (label exporter; otlp_http adds server_address, server_port, url_path)
  sent: "otelcol_exporter_sent_metric_points",
  sendFailed: "otelcol_exporter_send_failed_metric_points",
  enqueueFailed: "otelcol_exporter_enqueue_failed_metric_points",
  queueSize: "otelcol_exporter_queue_size",
  queueCapacity: "otelcol_exporter_queue_capacity",
  // the process
  uptime: "otelcol_process_uptime",
  rss: "otelcol_process_memory_rss",
  refused: "otelcol_receiver_refused_metric_points",
} as const;

/**
 * Names in the telemetry contract (/work/shared-notes/TELEMETRY.md, issues 9 and 10) that the
 * collector does not export; the status command shows "not exported" for them and the monitoring
 * test lists them instead of failing. None now: the degradation level gauge is exported since the
 * optimize module reports its level (nrdot.report_gauge, docs/reference/abi.md).
 */
export const NOT_YET_EXPORTED: readonly string[] = [];

/**
 * Names the collector exports only once the thing has happened (an OTel counter appears on its
 * first increment): a healthy collector does not show them. The wasm processor's own counters
 * exist from the start at 0 (commit 40b68c3); with an older processor that exports no breaker
 * gauge, `nrdot status` says "not exported" for what it lacks.
 */
export const AFTER_FIRST_EVENT: readonly string[] = [M.enqueueFailed];
