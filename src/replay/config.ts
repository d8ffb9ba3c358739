// A config rewritten for replay: the scraper replaced by an otlp_json_file receiver on the
// recording, every exporter by one file exporter, batches flushed at once, no listening ports.
import { componentType } from "../component.ts";

export function replayConfig(cfg: any, recording: string, output: string, stateDir: string): any {
  const c = structuredClone(cfg);
  const scrapers = Object.keys(c.receivers ?? {}).filter((id) => componentType(id) === "host_metrics");
  c.receivers = { ...Object.fromEntries(Object.entries(c.receivers ?? {}).filter(([id]) => !scrapers.includes(id))),
    otlp_json_file: { include: [recording], start_at: "beginning", max_log_size: "1GiB" } };
  c.exporters = { "file/replay": { path: output } };
  for (const [id, p] of Object.entries<any>(c.processors ?? {})) if (componentType(id) === "batch") c.processors[id] = { ...p, timeout: "100ms" };
  const exporterIds = new Set(Object.keys(cfg.exporters ?? {}));
  for (const p of Object.values<any>(c.service?.pipelines ?? {})) {
    p.receivers = (p.receivers ?? []).map((r: string) => (scrapers.includes(r) ? "otlp_json_file" : r));
    const exps = (p.exporters ?? []).filter((e: string) => !exporterIds.has(e));
    p.exporters = exps.length < (p.exporters ?? []).length ? [...exps, "file/replay"] : exps;
  }
  c.extensions = c.extensions?.file_storage ? { file_storage: { directory: stateDir, create_directory: true } } : {};
  c.service.extensions = c.extensions.file_storage ? ["file_storage"] : [];
  c.service.telemetry = { metrics: { level: "none" } };
  return c;
}
