// End to end: the built collector scrapes this host's real processes, runs wasm/classify, and
// writes to a file; processes this test starts under chosen names come out with the tier and
// score the rules give them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import {
  readResources, requireBuilt, spawnNamed, startCollector, stopCollector, waitFor, wasmDir, writeConfig,
} from "./collector.ts";

const names = ["postgres", "nginx", "e2e-worker", "e2e-crit-job", "e2e-owned"];

/** classifyConfig writes the collector config; scoreAttribute is the processor's score_attribute. */
function classifyConfig(dir: string, module: string, scoreAttribute?: string): string {
  return writeConfig(dir, `
receivers:
  host_metrics:
    collection_interval: 1s
    scrapers:
      process:
        mute_process_all_errors: true
        include:
          names: [${names.join(", ")}]
          match_type: strict
processors:
  wasm/classify:
    module: ${module}${scoreAttribute ? `\n    score_attribute: ${scoreAttribute}` : ""}
    config:
      rules:
        - executable: "e2e-crit-*"
          tier: critical
          score: 0.95
        - executable: "e2e-own*"
          owner: "${process.env.USER ?? "root"}"
          tier: important
exporters:
  file:
    path: ${join(dir, "out.jsonl")}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [host_metrics]
      processors: [wasm/classify]
      exporters: [file]
`);
}

describe("collector + wasm/classify on this host", () => {
  let dir: string;
  const children: ChildProcess[] = [];
  before(() => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), "nrdot-e2e-"));
    for (const n of names) children.push(spawnNamed(dir, n));
  });
  after(() => {
    for (const c of children) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("marks scraped processes with nrdot.tier, and the score_attribute with the score, as the rules say", async () => {
    const run = startCollector(classifyConfig(dir, join(wasmDir, "classify.wasm"), "nrdot.score"));
    try {
      const byName = await waitFor("all test processes in the output", () => {
        const m = new Map(readResources(join(dir, "out.jsonl")).map((r) => [r.attrs["process.executable.name"], r]));
        return names.every((n) => m.has(n)) ? m : undefined;
      }, 30_000, run);
      const expect: Record<string, [string, number]> = {
        postgres: ["critical", 1],
        nginx: ["important", 0.8],
        "e2e-worker": ["standard", 0.5],
        "e2e-crit-job": ["critical", 0.95],
        "e2e-owned": ["important", 0.8],
      };
      for (const [name, [tier, score]] of Object.entries(expect)) {
        const r = byName.get(name)!;
        assert.equal(r.attrs["nrdot.tier"], tier, `${name}: nrdot.tier`);
        assert.equal(r.attrs["nrdot.score"], score, `${name}: nrdot.score`);
        assert.ok(r.metricNames.includes("process.cpu.time"), `${name}: metrics are kept`);
      }
    } finally {
      await stopCollector(run);
    }
  });

  it("writes no score by default: a score that moves would make a new series every scrape", async () => {
    rmSync(join(dir, "out.jsonl"), { force: true });
    const run = startCollector(classifyConfig(dir, join(wasmDir, "classify.wasm")));
    try {
      const resources = await waitFor("all test processes in the output", () => {
        const rs = readResources(join(dir, "out.jsonl"));
        return names.every((n) => rs.some((r) => r.attrs["process.executable.name"] === n)) ? rs : undefined;
      }, 30_000, run);
      for (const r of resources) {
        assert.ok(r.attrs["nrdot.tier"] !== undefined, `${r.attrs["process.executable.name"]}: nrdot.tier`);
        assert.equal(r.attrs["nrdot.score"], undefined, `${r.attrs["process.executable.name"]}: no nrdot.score`);
      }
    } finally {
      await stopCollector(run);
    }
  });

  it("refuses a corrupt module at start-up, naming the file", async () => {
    const bad = join(dir, "corrupt-classify.wasm");
    writeFileSync(bad, "\0asm\x01\0\0\0 this is not a module");
    const run = startCollector(classifyConfig(dir, bad));
    const code = await Promise.race([run.done, new Promise((r) => setTimeout(() => r("timeout"), 20_000))]);
    await stopCollector(run);
    assert.notEqual(code, 0, "the collector must not start");
    assert.notEqual(code, "timeout", "the collector must exit");
    assert.match(run.output(), /corrupt-classify\.wasm/);
    assert.match(run.output(), /not a valid WebAssembly module/);
  });

  it("refuses a missing module, naming the file and the fix", async () => {
    const run = startCollector(classifyConfig(dir, join(dir, "nowhere/classify.wasm")));
    const code = await Promise.race([run.done, new Promise((r) => setTimeout(() => r("timeout"), 20_000))]);
    await stopCollector(run);
    assert.notEqual(code, 0);
    assert.notEqual(code, "timeout");
    assert.match(run.output(), /nowhere\/classify\.wasm/);
    assert.match(run.output(), /make wasm/);
  });
});
