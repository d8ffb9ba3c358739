// What every generated collector runs for its operators: health_check, pprof and zpages on
// endpoints overridable by environment, file_storage for the exporters' queues, and its own metrics
// (Prometheus, NRDOT_TELEMETRY_PORT). The agent and the gateway have distinct default ports, so the
// generated pair runs on one host as it is.
export type Role = "agent" | "gateway";

/**
 * The default ports of each role: telemetry, health_check, pprof, zpages, and the gateway's OTLP
 * receiver (where the agents' load_balancing exporter sends).
 */
export const PORTS = {
  agent: { telemetry: 8888, health: 13133, pprof: 1777, zpages: 55679 },
  gateway: { telemetry: 8889, health: 13134, pprof: 1778, zpages: 55680, otlp: 4317 },
} as const satisfies Record<Role, { telemetry: number; health: number; pprof: number; zpages: number; otlp?: number }>;

/**
 * WASM_STATE_DIRECTORY is the wasm processors' `state_directory`: the processor keeps its own
 * state file there (`<component id>.state`), in a directory of its own, apart from the exporters'
 * bbolt queues (the deprecated `storage: file_storage` put it in the queue's directory).
 */
export const WASM_STATE_DIRECTORY = "${env:NRDOT_DATA_DIR:-./data}/state/wasm";

/**
 * operations is the operators' extensions and the service's list of them; file_storage (in
 * <data dir>/stateDir) only when an exporter queues in it (nothing else uses it): no storage
 * declared that nothing uses.
 */
export function operations(role: Role, healthHost: string, stateDir: string, exporters: Record<string, unknown>):
  { extensions: Record<string, unknown>; serviceExtensions: string[] } {
  const queued = Object.values(exporters).some((e) => (e as { sending_queue?: { storage?: string } }).sending_queue?.storage === "file_storage");
  const p = PORTS[role];
  const extensions: Record<string, unknown> = {
    health_check: { endpoint: `\${env:NRDOT_HEALTH_ENDPOINT:-${healthHost}:${p.health}}` },
    pprof: { endpoint: `\${env:NRDOT_PPROF_ENDPOINT:-localhost:${p.pprof}}` },
    zpages: { endpoint: `\${env:NRDOT_ZPAGES_ENDPOINT:-localhost:${p.zpages}}` },
    // timeout: how long a component waits for a database another process holds (bbolt's lock)
    // before its start fails; scripts/run.sh refuses a data dir in use before that.
    ...(queued ? { file_storage: { directory: `\${env:NRDOT_DATA_DIR:-./data}/${stateDir}`, create_directory: true, timeout: "1s" } } : {}),
  };
  return { extensions, serviceExtensions: Object.keys(extensions) };
}

export function selfTelemetry(role: Role, host: string): Record<string, unknown> {
  return { metrics: { readers: [{ pull: { exporter: { prometheus: { host, port: `\${env:NRDOT_TELEMETRY_PORT:-${PORTS[role].telemetry}}` } } } }] } };
}
