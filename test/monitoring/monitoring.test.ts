// deploy/monitoring: the rules pass promtool's check and unit tests; every series a rule, an
// alert, a dashboard panel or `nrdot status` reads is a series the rules record or one a real
// collector exports (those of the telemetry contract not exported yet are listed, not skipped).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { names } from "../../src/status/prom.ts";
import { AFTER_FIRST_EVENT, M } from "../../src/status/telemetry.ts";
import { repoRoot } from "../cli/run.ts";
import { startLiveAgent, type LiveAgent } from "../status/live.ts";
import { seriesNames } from "./promql.ts";

const dir = join(repoRoot, "deploy/monitoring");
const rulesFile = join(dir, "nrdot.rules.yml");

interface Rule { record?: string; alert?: string; expr: string }
const rules: Rule[] = (parse(readFileSync(rulesFile, "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
const alerts = rules.flatMap((r) => (r.alert ? [r.alert] : []));

const dashboard = JSON.parse(readFileSync(join(dir, "grafana-dashboard.json"), "utf8"));
/** every query of the dashboard: panel targets and template variables, with where it is */
const queries: { where: string; expr: string }[] = [
  ...dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr as string }))),
  ...dashboard.templating.list.filter((v: any) => v.type === "query").map((v: any) => ({ where: `variable ${v.name}`, expr: (v.query?.query ?? v.query) as string })),
];

function promtool(args: string[]): string {
  const r = spawnSync("promtool", args, { cwd: dir, encoding: "utf8" });
  if (r.error) throw new Error("promtool is not installed: `.ci/run` installs Debian's prometheus package (apt-get install -y prometheus)");
  assert.equal(r.status, 0, `promtool ${args.join(" ")}:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

describe("deploy/monitoring rules", () => {
  it("promtool check rules", () => {
    assert.match(promtool(["check", "rules", "nrdot.rules.yml"]), /SUCCESS: \d+ rules found/);
  });

  it("promtool test rules: every recording rule's values and every alert's firing", () => {
    assert.match(promtool(["test", "rules", "nrdot.rules.test.yml"]), /SUCCESS/);
  });

  it("has the recording rules and alerts of issue 10", () => {
    for (const r of ["nrdot:optimization_ratio", "nrdot:monthly_cost_usd:by_points", "nrdot:monthly_cost_usd:by_gb", "nrdot:monthly_cost_usd:by_active_series", "nrdot:processes_kept:rate5m", "nrdot:processes_rolled_up:rate5m", "nrdot:call_duration_ms:p99"]) {
      assert.ok(recorded.has(r), r);
    }
    for (const a of ["NrdotOptimizationRatioLow", "NrdotBreakerOpen", "NrdotMemoryPressureCriticalOnly", "NrdotExporterQueueFilling", "NrdotExporterSendFailures", "NrdotStateReset"]) assert.ok(alerts.includes(a), a);
  });

  it("the unit tests cover every alert", () => {
    const tested = readFileSync(join(dir, "nrdot.rules.test.yml"), "utf8");
    for (const a of alerts) assert.match(tested, new RegExp(`alertname: ${a}\\b`), a);
  });

  it("docs/operations/monitoring.md explains every rule and alert", () => {
    const doc = readFileSync(join(repoRoot, "docs/operations/monitoring.md"), "utf8");
    for (const n of [...recorded, ...alerts]) assert.ok(doc.includes(`\`${n}\``), `${n} is not in docs/operations/monitoring.md`);
  });

  it("every dashboard query reads only recorded series or collector metrics", () => {
    assert.ok(queries.length > 20);
    for (const q of queries) {
      for (const n of seriesNames(q.expr)) {
        assert.ok(recorded.has(n) || n.startsWith("otelcol_"), `${q.where}: ${n} is neither recorded by nrdot.rules.yml nor a collector metric`);
      }
    }
  });

  it("a rule reads only series recorded by another rule or collector metrics", () => {
    for (const r of rules) {
      for (const n of seriesNames(r.expr)) {
        assert.ok(n !== r.record && (recorded.has(n) || n.startsWith("otelcol_")), `${r.record ?? r.alert}: ${n}`);
      }
    }
  });
});

describe("the collector metrics the rules, the dashboard and nrdot status read, against a real scrape", () => {
  let agent: LiveAgent;
  before(async () => {
    agent = await startLiveAgent();
  });
  after(async () => {
    await agent?.stop();
  });

  it("every one is exported by the running collector, or listed as not exported yet / after a first event", async (t) => {
    const scrape = await agent.scrape();
    const exported = names(scrape);
    const used = new Map<string, string[]>();
    const use = (n: string, where: string) => used.set(n, [...(used.get(n) ?? []), where]);
    for (const r of rules) for (const n of seriesNames(r.expr)) if (!recorded.has(n)) use(n, `rule ${r.record ?? r.alert}`);
    for (const q of queries) for (const n of seriesNames(q.expr)) if (!recorded.has(n)) use(n, q.where);
    for (const [k, n] of Object.entries(M)) use(n === M.callDuration ? `${n}_count` : n, `nrdot status (${k})`);

    const absent = [...used.keys()].filter((n) => !exported.has(n)).sort();
    const unexplained = absent.filter((n) => !AFTER_FIRST_EVENT.includes(n));
    assert.deepEqual(unexplained, [], `read but not exported by the collector and not listed in src/status/telemetry.ts:\n${unexplained.map((n) => `  ${n}: ${used.get(n)!.join(", ")}`).join("\n")}`);
    t.diagnostic(`exported and read: ${[...used.keys()].filter((n) => exported.has(n)).sort().join(", ")}`);
    t.diagnostic(`not exported until it happens (no trap, no full queue, ... in this run): ${absent.join(", ") || "none"}`);
  });

  it("the collector's names carry no _total or unit suffix (what the rules assume)", async () => {
    const exported = names(await agent.scrape());
    for (const n of [M.incoming, M.outgoing, M.sent, M.sendFailed, M.rowsIn, `${M.callDuration}_bucket`, M.queueSize, M.queueCapacity, M.uptime]) assert.ok(exported.has(n), n);
    assert.ok(![...exported].some((n) => n.startsWith("otelcol_") && n.endsWith("_total")), "no otelcol_*_total");
  });
});
