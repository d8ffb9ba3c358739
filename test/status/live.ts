// A real collector whose telemetry shows what an agent in production shows: the generated agent
// (OTLP backend with a persistent sending queue) on free ports, scraping every second, its
// exporter pointed at a port where nothing listens so that sends fail. The host gets idle
// processes of its own first: on a quiet machine (a CI runner has a few dozen processes) the
// optimizer would keep every process and have nothing to show.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Running } from "../../src/collector.ts";
import { parseText, sum, type Scrape } from "../../src/status/prom.ts";
import { run } from "../cli/run.ts";
import { freePort, requireBuilt, startCollector, waitFor, wasmDir } from "../e2e/collector.ts";
import { startWorkload } from "../e2e/workload.ts";

export interface LiveAgent {
  /** host:port of its Prometheus telemetry */
  endpoint: string;
  collector: Running;
  scrape(): Promise<Scrape>;
  stop(): Promise<void>;
}

/** startLiveAgent returns once the optimizer has run twice and a send has failed. */
export async function startLiveAgent(): Promise<LiveAgent> {
  requireBuilt();
  const dir = mkdtempSync(join(tmpdir(), "nrdot-live-"));
  const g = await run(["generate", "--backend", "otlp", "-o", dir]);
  assert.equal(g.code, 0, g.err);
  // More processes than the balanced profile keeps (max_processes 50, plus protected and top ones).
  const workload = startWorkload(dir, 150, 0);
  const telemetry = await freePort();
  const endpoint = `127.0.0.1:${telemetry}`;
  writeFileSync(join(dir, "fast.yaml"), [
    "receivers: {host_metrics: {collection_interval: 1s}}",
    "processors: {batch/critical: {timeout: 100ms}, batch/standard: {timeout: 100ms}, batch/sampled: {timeout: 100ms}}",
    "exporters: {otlp_http: {retry_on_failure: {enabled: false}}}",
    `service: {telemetry: {metrics: {readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: ${telemetry}}}}}]}}}`,
  ].join("\n") + "\n");
  const collector = startCollector([join(dir, "agent.yaml"), join(dir, "fast.yaml")], {
    NRDOT_DATA_DIR: dir, NRDOT_WASM_DIR: wasmDir,
    NRDOT_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    NRDOT_HEALTH_ENDPOINT: `127.0.0.1:${await freePort()}`, NRDOT_PPROF_ENDPOINT: `127.0.0.1:${await freePort()}`, NRDOT_ZPAGES_ENDPOINT: `127.0.0.1:${await freePort()}`,
  });
  const scrape = async () => parseText(await (await fetch(`http://${endpoint}/metrics`)).text());
  const stop = async () => {
    await collector.stop();
    workload.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let ok = false;
    await waitFor("the optimizer's and the exporter's telemetry", () => {
      if (ok) return true;
      scrape().then((s) => {
        ok = (sum(s, "otelcol_processor_wasm_call_duration_count") ?? 0) >= 2 && (sum(s, "otelcol_exporter_send_failed_metric_points") ?? 0) > 0;
      }, () => {});
      return undefined;
    }, 60_000, collector);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, collector, scrape, stop };
}
