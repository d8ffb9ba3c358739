// What every generated collector runs for its operators: health_check, pprof and zpages on
// endpoints overridable by environment, file_storage for state and queues, and its own metrics
// on :8888 (Prometheus).
export function operationsExtensions(healthHost: string, stateDir: string): Record<string, unknown> {
  return {
    health_check: { endpoint: `\${env:NRDOT_HEALTH_ENDPOINT:-${healthHost}:13133}` },
    pprof: { endpoint: "${env:NRDOT_PPROF_ENDPOINT:-localhost:1777}" },
    zpages: { endpoint: "${env:NRDOT_ZPAGES_ENDPOINT:-localhost:55679}" },
    file_storage: { directory: `\${env:NRDOT_DATA_DIR:-./data}/${stateDir}`, create_directory: true },
  };
}

export const OPERATIONS_EXTENSIONS = ["health_check", "pprof", "zpages", "file_storage"];

export function selfTelemetry(host: string): Record<string, unknown> {
  return { metrics: { readers: [{ pull: { exporter: { prometheus: { host, port: 8888 } } } }] } };
}
