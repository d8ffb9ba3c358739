// End to end, acknowledged means durable: the generated agent -> gateway pair, each killed with
// SIGKILL mid-stream several times, loses nothing it has acknowledged.
//
// The agent's scraper acknowledges nothing, so its input here is an OTLP receiver fed by the test:
// the generated agent with `metrics/ingest` receiving OTLP/HTTP (its processors reduced to the
// memory_limiter; the optimizer is not what is tested), everything after that as generated (the
// routing by tier, the exporters, their queues and storage), the generated gateway as it is, and
// a sink collector (OTLP receiver -> file) standing for the backend. The test sends numbered
// points, each request until the agent acknowledges it (OTLP: HTTP 200 and nothing rejected),
// and counts, in the sink, which acknowledged points arrived and how often: at least once is the
// contract, so duplicates are counted and reported, losses fail the test.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "yaml";
import { run as cli } from "../cli/run.ts";
import type { Running } from "../../src/collector.ts";
import { pointValue, points } from "../../src/host/index.ts";
import { freePort, operatorPorts, readBatches, requireBuilt, startCollector, stopCollector, waitFor } from "./collector.ts";

const TIERS = ["critical", "standard", "sampled"];
const PER_REQUEST = 6; // two resources of each tier, one point each

/** request is the OTLP/JSON body of request n: points n*PER_REQUEST .. +PER_REQUEST-1. */
function request(n: number): string {
  const now = String(BigInt(Date.now()) * 1_000_000n);
  return JSON.stringify({
    resourceMetrics: Array.from({ length: PER_REQUEST }, (_, i) => ({
      resource: { attributes: [{ key: "nrdot.tier", value: { stringValue: TIERS[i % 3] } }, { key: "process.pid", value: { intValue: String(1000 + i) } }] },
      scopeMetrics: [{ metrics: [{ name: "nrdot.test.seq", gauge: { dataPoints: [{ timeUnixNano: now, asInt: String(n * PER_REQUEST + i) }] } }] }],
    })),
  });
}

/** sinkCounts counts each point of nrdot.test.seq in the sink's file. */
function sinkCounts(file: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const b of readBatches(file)) for (const rm of b.resourceMetrics) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
    if (m.name !== "nrdot.test.seq") continue;
    for (const dp of points(m)) out.set(pointValue(dp), (out.get(pointValue(dp)) ?? 0) + 1);
  }
  return out;
}

interface Pair { agent: () => Running; gateway: () => Running; sink: Running; sinkFile: string; agentUrl: string }

/**
 * setUp generates the pair (or takes NRDOT_KILL_TEST_CONFIGS, a folder with agent.yaml and
 * gateway.yaml, to run the test on other configs) and returns how to start each side.
 */
async function setUp(dir: string): Promise<Pair> {
  let gen = process.env.NRDOT_KILL_TEST_CONFIGS;
  if (!gen) {
    gen = join(dir, "gen");
    const g = await cli(["generate", "--mode", "gateway", "--backend", "newrelic", "-o", gen]);
    assert.equal(g.code, 0, g.err);
  }
  const agentCfg = parse(readFileSync(join(gen, "agent.yaml"), "utf8"));
  const gatewayCfg = parse(readFileSync(join(gen, "gateway.yaml"), "utf8"));
  const [agentPort, gatewayPort, sinkPort] = [await freePort(), await freePort(), await freePort()];
  const quiet = { service: { telemetry: { metrics: { level: "none" } } } };
  // Shorter waits than in production, so the test takes seconds: batches flush after 200 ms and
  // a failed export is retried after 200 ms to 1 s (the same settings, other durations).
  const fast = (exporters: Record<string, any>) => Object.fromEntries(Object.entries(exporters).map(([id, e]) => [id, {
    ...(e.sending_queue?.batch ? { sending_queue: { batch: { flush_timeout: "200ms" } } } : {}),
    retry_on_failure: { initial_interval: "200ms", max_interval: "1s" },
  }]));
  const agentOverrides = join(dir, "agent-overrides.json");
  writeFileSync(agentOverrides, JSON.stringify({
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${agentPort}` } } } },
    exporters: fast(agentCfg.exporters),
    service: { ...quiet.service, pipelines: { "metrics/ingest": { receivers: ["otlp"], processors: ["memory_limiter"], exporters: ["routing/tier"] } } },
  }));
  const gatewayOverrides = join(dir, "gateway-overrides.json");
  writeFileSync(gatewayOverrides, JSON.stringify({ exporters: fast(gatewayCfg.exporters), ...quiet }));
  const sinkFile = join(dir, "sink.jsonl");
  const sinkConfig = join(dir, "sink.json");
  writeFileSync(sinkConfig, JSON.stringify({
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${sinkPort}` } } } },
    exporters: { file: { path: sinkFile, flush_interval: "100ms" } },
    service: { ...quiet.service, pipelines: { metrics: { receivers: ["otlp"], exporters: ["file"] } } },
  }));
  const [agentPorts, gatewayPorts] = [await operatorPorts(), await operatorPorts()];
  const env = { NRDOT_GATEWAY_HOST: "127.0.0.1", NRDOT_GATEWAY_PORT: String(gatewayPort), NRDOT_GATEWAY_LISTEN: `127.0.0.1:${gatewayPort}`,
    NEW_RELIC_LICENSE_KEY: "test", NEW_RELIC_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` };
  mkdirSync(join(dir, "agent"));
  mkdirSync(join(dir, "gw"));
  return {
    agent: () => startCollector([join(gen, "agent.yaml"), agentOverrides], { ...env, ...agentPorts, NRDOT_DATA_DIR: join(dir, "agent") }),
    gateway: () => startCollector([join(gen, "gateway.yaml"), gatewayOverrides], { ...env, ...gatewayPorts, NRDOT_DATA_DIR: join(dir, "gw") }),
    sink: startCollector(sinkConfig),
    sinkFile,
    agentUrl: `http://127.0.0.1:${agentPort}/v1/metrics`,
  };
}

/** send posts request n until the agent acknowledges all of it; returns how many tries it took. */
async function send(url: string, n: number, stop: () => boolean): Promise<number> {
  for (let tries = 1; ; tries++) {
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: request(n), signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      if (res.status === 200 && !/"rejectedDataPoints":"?[1-9]/.test(body)) return tries;
    } catch { /* not listening (killed, restarting) or cut off: try again */ }
    if (stop()) throw new Error(`request ${n} never acknowledged`);
    await sleep(200);
  }
}

async function kill(r: Running): Promise<void> {
  process.kill(r.pid, "SIGKILL");
  await r.done;
}

/**
 * killRun sends requests for the whole run while `victim` is killed `kills` times (every 6 s,
 * down for 2 s), then waits for every acknowledged point in the sink, and returns the counts.
 */
async function killRun(dir: string, victim: "agent" | "gateway", kills: number): Promise<{ acked: number; lost: number; duplicates: number; retried: number }> {
  const pair = await setUp(dir);
  let gateway = pair.gateway();
  let agent = pair.agent();
  let sending = true;
  let n = 0;
  let retried = 0;
  const deadline = Date.now() + 180_000;
  const sender = (async () => {
    for (; sending; n++) {
      if ((await send(pair.agentUrl, n, () => Date.now() > deadline)) > 1) retried++;
      await sleep(50);
    }
  })();
  try {
    await waitFor("the first acknowledged requests", () => (n >= 10 ? true : undefined), 60_000, agent);
    for (let k = 0; k < kills; k++) {
      await sleep(3000 + 1000 * k); // a different point of the stream each time
      if (victim === "gateway") {
        await kill(gateway);
        await sleep(2000);
        gateway = pair.gateway();
      } else {
        await kill(agent);
        await sleep(2000);
        agent = pair.agent();
      }
    }
    await sleep(3000);
    sending = false;
    await sender;
    const acked = n * PER_REQUEST;
    await waitFor("every acknowledged point in the sink", () => {
      const c = sinkCounts(pair.sinkFile);
      for (let i = 0; i < acked; i++) if (!c.has(i)) return undefined;
      return true;
    }, 60_000, pair.sink).catch(() => undefined);
    await stopCollector(agent);
    await stopCollector(gateway);
    await stopCollector(pair.sink);
    const c = sinkCounts(pair.sinkFile);
    let lost = 0;
    let duplicates = 0;
    for (let i = 0; i < acked; i++) {
      const k = c.get(i) ?? 0;
      if (k === 0) lost++;
      else duplicates += k - 1;
    }
    return { acked, lost, duplicates, retried };
  } finally {
    sending = false;
    await sender.catch(() => undefined);
    for (const r of [agent, gateway, pair.sink]) if (!r.exited()) await stopCollector(r);
  }
}

describe("agent -> gateway: SIGKILL loses nothing acknowledged", () => {
  let dir: string;
  before(() => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), "nrdot-kill-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const victim of ["gateway", "agent"] as const) {
    it(`the ${victim} killed 3 times mid-stream: every acknowledged point arrives, duplicates counted`, { timeout: 300_000 }, async () => {
      const sub = join(dir, victim);
      mkdirSync(sub);
      const r = await killRun(sub, victim, 3);
      process.stdout.write(`\n${victim} SIGKILLed 3 times: ${r.acked} points acknowledged by the agent, ${r.lost} lost, ${r.duplicates} duplicated (at least once), ${r.retried} requests sent again\n`);
      assert.ok(r.acked > 0);
      assert.equal(r.lost, 0, `${r.lost} of ${r.acked} acknowledged points never reached the sink`);
    });
  }
});
