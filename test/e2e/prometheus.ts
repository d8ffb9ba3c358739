// A real Prometheus for end-to-end tests: Debian's `prometheus` package (.ci/run installs it),
// run on a free loopback port with its own TSDB directory, queried over the HTTP API.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startProcess } from "../../src/collector.ts";
import { freePort } from "./collector.ts";

/** requirePrometheus fails, saying how to get it, when the prometheus binary is not installed. */
export function requirePrometheus(): void {
  const r = spawnSync("prometheus", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error("prometheus is not installed: `.ci/run` installs it (as root: apt-get update && apt-get install -y prometheus)");
  }
}

export interface Prometheus {
  url: string;
  /** query evaluates an instant PromQL query at time t (seconds) and returns the vector. */
  query(q: string, t: number): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** range evaluates q from start to end (seconds) every step seconds: one series per result. */
  range(q: string, start: number, end: number, step: number): Promise<{ metric: Record<string, string>; values: [number, number][] }[]>;
  output(): string;
  stop(): Promise<void>;
}

/** startPrometheus scrapes each job's targets every scrapeInterval and is ready when it returns. */
export async function startPrometheus(dir: string, jobs: Record<string, string[]>, scrapeInterval: string): Promise<Prometheus> {
  requirePrometheus();
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, JSON.stringify({
    global: { scrape_interval: scrapeInterval, scrape_timeout: scrapeInterval, evaluation_interval: scrapeInterval },
    scrape_configs: Object.entries(jobs).map(([job, targets]) => ({ job_name: job, static_configs: [{ targets }] })),
  }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess("prometheus", [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`,
  ], process.env);
  const api = async (path: string, params: Record<string, string>) => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: any[] } };
    if (body.status !== "success") throw new Error(`prometheus ${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data.result;
  };
  const p: Prometheus = {
    url,
    async query(q, t) {
      return (await api("/api/v1/query", { query: q, time: String(t) })).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async range(q, start, end, step) {
      return (await api("/api/v1/query_range", { query: q, start: String(start), end: String(end), step: String(step) }))
        .map((r) => ({ metric: r.metric, values: r.values.map(([t, v]: [number, string]) => [t, Number(v)]) }));
    },
    output: proc.output,
    stop: proc.stop,
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exited()) throw new Error(`prometheus exited:\n${proc.output().slice(-3000)}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return p;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await p.stop();
      throw new Error(`prometheus not ready after 60 s:\n${proc.output().slice(-3000)}`);
    }
    await sleep(250);
  }
}
