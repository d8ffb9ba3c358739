// A config rewritten for replay: the scraper replaced by an otlp_json_file receiver on the
// recording, every exporter by one file exporter, batches flushed at once, no listening ports,
// and every piece of state (file_storage directories, wasm processors' state_directory) in
// stateDir: a replay neither reads nor writes the host's data dir (./data/state).
import { componentType } from "../component.ts";

export function replayConfig(cfg: any, recording: string, output: string, stateDir: string): any {
  const c = structuredClone(cfg);
  const scrapers = Object.keys(c.receivers ?? {}).filter((id) => componentType(id) === "host_metrics");
  c.receivers = { ...Object.fromEntries(Object.entries(c.receivers ?? {}).filter(([id]) => !scrapers.includes(id))),
    otlp_json_file: { include: [recording], start_at: "beginning", max_log_size: "1GiB" } };
  c.exporters = { "file/replay": { path: output } };
  for (const [id, p] of Object.entries<any>(c.processors ?? {})) {
    if (componentType(id) === "batch") c.processors[id] = { ...p, timeout: "100ms" };
    // The wasm processor's own state file: <state_directory>/<id>.state, one directory for all.
    if (componentType(id) === "wasm" && p?.state_directory !== undefined) c.processors[id] = { ...p, state_directory: `${stateDir}/wasm` };
  }
  const exporterIds = new Set(Object.keys(cfg.exporters ?? {}));
  for (const p of Object.values<any>(c.service?.pipelines ?? {})) {
    p.receivers = (p.receivers ?? []).map((r: string) => (scrapers.includes(r) ? "otlp_json_file" : r));
    const exps = (p.exporters ?? []).filter((e: string) => !exporterIds.has(e));
    p.exporters = exps.length < (p.exporters ?? []).length ? [...exps, "file/replay"] : exps;
  }
  // Each file_storage (a wasm processor's deprecated `storage` names one) in stateDir; the
  // exporters that queued in them are gone, and so is every other extension.
  const storages = Object.keys(c.extensions ?? {}).filter((id) => componentType(id) === "file_storage");
  c.extensions = Object.fromEntries(storages.map((id) =>
    [id, { directory: id === "file_storage" ? stateDir : `${stateDir}/${id.replace("/", "_")}`, create_directory: true }]));
  c.service.extensions = storages;
  c.service.telemetry = { metrics: { level: "none" } };
  return c;
}
