// The rules in a real Prometheus (Debian's package) scraping a real collector: every recording
// rule over an exported metric gives a series, and the ratio agrees with the collector's counters.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parse, stringify } from "yaml";
import { names } from "../../src/status/prom.ts";
import { repoRoot } from "../cli/run.ts";
import { freePort, waitFor } from "../e2e/collector.ts";
import { requirePrometheus } from "../e2e/prometheus.ts";
import { startLiveAgent, type LiveAgent } from "../status/live.ts";
import { seriesNames } from "./promql.ts";

interface Rule { record?: string; alert?: string; expr: string }

describe("nrdot.rules.yml in Prometheus, scraping a running collector", () => {
  let dir: string;
  let agent: LiveAgent;
  let prom: ChildProcess | undefined;
  let url: string;
  let out = "";
  let ready = false;
  const query = async (q: string) => {
    const body = (await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`)).json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== "success") throw new Error(`${q}: ${body.error}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };

  before(async () => {
    requirePrometheus();
    dir = mkdtempSync(join(tmpdir(), "nrdot-prom-rules-"));
    agent = await startLiveAgent();
    // The shipped rules, evaluated every second instead of every 30 s.
    const rules = parse(readFileSync(join(repoRoot, "deploy/monitoring/nrdot.rules.yml"), "utf8"));
    for (const g of rules.groups) g.interval = "1s";
    writeFileSync(join(dir, "rules.yml"), stringify(rules));
    writeFileSync(join(dir, "prometheus.yml"), JSON.stringify({
      global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
      rule_files: [join(dir, "rules.yml")],
      scrape_configs: [{ job_name: "nrdot-agent", static_configs: [{ targets: [agent.endpoint] }] }],
    }));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    prom = spawn("prometheus", [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
    prom.stdout!.on("data", (b) => (out += b));
    prom.stderr!.on("data", (b) => (out += b));
    await waitFor("the optimization ratio recorded by Prometheus", () => {
      if (prom!.exitCode !== null) throw new Error(`prometheus exited:\n${out.slice(-3000)}`);
      return ready ? true : (void query("nrdot:optimization_ratio").then((r) => (ready = r.length > 0), () => {}), undefined);
    }, 90_000, agent.collector);
  });
  after(async () => {
    if (prom && prom.exitCode === null) {
      prom.kill("SIGTERM");
      await Promise.race([new Promise((r) => prom!.on("exit", r)), sleep(15_000)]);
    }
    await agent?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("loads every rule without an evaluation error", async () => {
    const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
    const rules = body.data.groups.flatMap((g) => g.rules);
    assert.ok(rules.length >= 40);
    for (const r of rules) assert.equal(r.health, "ok", `${r.name}: ${r.lastError}`);
  });

  it("every recording rule over exported metrics gives a series", async () => {
    const rules: Rule[] = parse(readFileSync(join(repoRoot, "deploy/monitoring/nrdot.rules.yml"), "utf8")).groups.flatMap((g: { rules: Rule[] }) => g.rules);
    const exported = names(await agent.scrape());
    const recorded = new Map(rules.filter((r) => r.record).map((r) => [r.record!, r]));
    // A rule can have a series when every collector metric it reads, directly or through other
    // rules, is exported.
    const possible = (name: string): boolean => {
      const r = recorded.get(name);
      if (!r) return exported.has(name);
      return [...seriesNames(r.expr)].every(possible);
    };
    const missing: string[] = [];
    for (const name of recorded.keys()) {
      if (!possible(name)) continue;
      if ((await query(name)).length === 0) missing.push(name);
    }
    assert.deepEqual(missing, []);
    for (const n of ["nrdot:monthly_cost_usd:by_points", "nrdot:monthly_cost_usd:by_gb", "nrdot:monthly_cost_usd:by_active_series", "nrdot:call_duration_ms:p99", "nrdot:exporter_queue_fill", "nrdot:exporter_failed_points:rate5m"]) {
      assert.ok(possible(n), `${n} reads only exported metrics`);
    }
  });

  it("the ratio is 1 - out/in of wasm/optimize, the processes add up, sends fail", async () => {
    const [ratio] = await query("nrdot:optimization_ratio");
    assert.equal(ratio.metric.processor, "wasm/optimize");
    assert.equal(ratio.metric.job, "nrdot-agent");
    assert.ok(ratio.value > 0 && ratio.value < 1, String(ratio.value));
    const [direct] = await query('1 - sum(rate(otelcol_processor_outgoing_items{processor="wasm/optimize"}[5m])) / sum(rate(otelcol_processor_incoming_items{processor="wasm/optimize"}[5m]))');
    assert.ok(Math.abs(direct.value - ratio.value) < 0.1, `${direct.value} vs ${ratio.value}`);
    const [fleet] = await query("nrdot:optimization_ratio:fleet");
    assert.ok(Math.abs(fleet.value - ratio.value) < 1e-9);
    const [failed] = await query('nrdot:exporter_failed_points:rate5m{exporter="otlp_http"}');
    assert.ok(failed.value > 0);
    assert.equal(failed.metric.server_address, undefined, "endpoint labels dropped");
  });
});
