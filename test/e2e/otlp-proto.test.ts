// The protobuf encoder the benchmark sends with, checked against the real collector: a batch sent
// as OTLP/HTTP protobuf comes out of its file exporter as the same OTLP/JSON.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeMetricsProto, parseMetricsJsonl } from "../../src/host/index.ts";
import { generateHost } from "../fixtures/generate.ts";
import { summary, total } from "../optimizer/checks.ts";
import { freePort, requireBuilt, startCollector, stopCollector, waitFor } from "./collector.ts";

function post(port: number, body: Uint8Array): Promise<number> {
  return new Promise((res, rej) => {
    const req = request({ host: "127.0.0.1", port, path: "/v1/metrics", method: "POST", headers: { "content-type": "application/x-protobuf" } }, (r) => {
      r.resume();
      r.on("end", () => res(r.statusCode ?? 0));
    });
    req.on("error", rej);
    req.end(body);
  });
}

describe("OTLP protobuf encoder", () => {
  const dir = mkdtempSync(join(tmpdir(), "nrdot-proto-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("round-trips a busy host's batch through the collector", async () => {
    requireBuilt();
    const batch = generateHost({ intervals: 2 })[1];
    const port = await freePort();
    const out = join(dir, "out.jsonl");
    const cfg = join(dir, "c.yaml");
    writeFileSync(cfg, `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${port}\nexporters:\n  file:\n    path: ${out}\nservice:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [file]\n`);
    const run = startCollector(cfg);
    try {
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = await post(port, encodeMetricsProto(batch)).catch(() => 0);
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, run.output());
      const got = await waitFor("the exported batch", () => {
        try {
          const b = parseMetricsJsonl(readFileSync(out, "utf8"), out);
          return b.length > 0 ? b[0] : undefined;
        } catch {
          return undefined;
        }
      }, 20_000, run);
      assert.equal(got.resourceMetrics.length, batch.resourceMetrics.length);
      for (const m of ["process.cpu.time", "process.memory.usage", "process.disk.io", "process.uptime"]) assert.equal(total(got, m), total(batch, m), m);
      assert.deepEqual(summary(got), summary(batch));
      assert.deepEqual(got.resourceMetrics[0].resource, batch.resourceMetrics[0].resource);
    } finally {
      await stopCollector(run);
    }
  });
});
