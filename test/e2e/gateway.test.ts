// End to end, two collectors on loopback: an agent generated in gateway mode optimizes this
// host's processes and sends them through the load_balancing exporter (OTLP) to a gateway, which
// writes them to a file; nothing is lost while the gateway is down.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run as cli } from "../cli/run.ts";
import { freePort, operatorPorts, readResources, requireBuilt, startCollector, stopCollector, waitFor, wasmDir } from "./collector.ts";

describe("agent -> gateway over OTLP", () => {
  let dir: string;
  before(() => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), "nrdot-gw-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("delivers the agent's optimized, tiered process metrics to the gateway, also those queued while it was down", async () => {
    const g = await cli(["generate", "--mode", "gateway", "-o", dir]);
    assert.equal(g.code, 0, g.err);
    const quiet = "service:\n  telemetry:\n    metrics:\n      level: none\n";
    const fastAgent = join(dir, "fast-agent.yaml");
    writeFileSync(fastAgent, "receivers:\n  host_metrics:\n    collection_interval: 1s\nexporters:\n" +
      ["critical", "standard", "sampled"].map((t) => `  load_balancing/${t}: {sending_queue: {batch: {flush_timeout: 100ms}}}\n`).join("") + quiet);
    const fastGateway = join(dir, "fast-gateway.yaml");
    writeFileSync(fastGateway, quiet);
    const port = await freePort();
    // The gateway is down when the agent starts: what the agent scrapes meanwhile waits in its
    // persistent queue and arrives once the gateway is up.
    const agent = startCollector([join(dir, "agent.yaml"), fastAgent], {
      NRDOT_DATA_DIR: join(dir, "agent"), NRDOT_WASM_DIR: wasmDir, NRDOT_GATEWAY_HOST: "127.0.0.1", NRDOT_GATEWAY_PORT: String(port), ...(await operatorPorts()),
    });
    await new Promise((r) => setTimeout(r, 4000));
    const gatewayUp = BigInt(Date.now()) * 1_000_000n;
    const gateway = startCollector([join(dir, "gateway.yaml"), fastGateway], { NRDOT_DATA_DIR: join(dir, "gw"), NRDOT_GATEWAY_LISTEN: `127.0.0.1:${port}`, ...(await operatorPorts()) });
    try {
      const got = await waitFor("tiered resources at the gateway", () => {
        const rs = readResources(join(dir, "gw", "metrics.jsonl"));
        return rs.length > 0 && rs.every((r) => r.attrs["nrdot.tier"] !== undefined) ? rs : undefined;
      }, 45_000, gateway);
      assert.ok(got.some((r) => r.metricNames.includes("process.memory.usage")));
      const early = await waitFor("points scraped while the gateway was down", () => {
        const lines = readFileSync(join(dir, "gw", "metrics.jsonl"), "utf8");
        const times = [...lines.matchAll(/"timeUnixNano":"(\d+)"/g)].map((m) => BigInt(m[1]));
        return times.some((t) => t < gatewayUp) ? true : undefined;
      }, 30_000, gateway);
      assert.ok(early);
    } finally {
      await stopCollector(agent);
      await stopCollector(gateway);
    }
  });
});
