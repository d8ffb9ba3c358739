// The nrdot CLI in-process: stdout, stderr and exit codes, with temp dirs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, run } from "./run.ts";
import { BUILTIN_PROFILES } from "../../src/profile/schema.ts";
import { staleness } from "../../src/generate/agent.ts";



const tmp = () => mkdtempSync(join(tmpdir(), "nrdot-cli-"));

describe("nrdot generate", () => {
  it("keeps configs/ fresh: regenerating every built-in profile changes nothing", async () => {
    for (const p of BUILTIN_PROFILES) {
      const dir = tmp();
      const r = await run(["generate", "--profile", p, "-o", dir]);
      assert.equal(r.code, 0, r.err);
      for (const f of readdirSync(dir)) {
        assert.equal(readFileSync(join(dir, f), "utf8"), readFileSync(join(repoRoot, "configs", p, f), "utf8"),
          `configs/${p}/${f} is stale: run \`for p in ${BUILTIN_PROFILES.join(" ")}; do npx nrdot generate --profile $p -o configs/$p; done\``);
      }
    }
  });

  it("exports to New Relic when NEW_RELIC_LICENSE_KEY is set, without writing the key", async () => {
    const dir = tmp();
    const r = await run(["generate", "-o", dir], { NEW_RELIC_LICENSE_KEY: "secret-key-123" });
    assert.equal(r.code, 0, r.err);
    const cfg = readFileSync(join(dir, "agent.yaml"), "utf8");
    assert.match(cfg, /otlp_http\/newrelic/);
    assert.match(cfg, /\$\{env:NEW_RELIC_LICENSE_KEY\}/);
    assert.doesNotMatch(cfg, /secret-key-123/);
  });

  it("names an unknown profile key with a suggestion", async () => {
    const dir = tmp();
    const f = join(dir, "p.yaml");
    writeFileSync(f, "extends: balanced\n# keep fewer\nmax_processs: 10\n");
    const r = await run(["generate", "--profile", f, "-o", dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`${f}:3 \\(max_processs\\): unknown key`));
    assert.match(r.err, /did you mean `max_processes`\?/);
    assert.equal(r.out, "");
  });

  it("names a bad value with its path and line", async () => {
    const dir = tmp();
    const f = join(dir, "p.yaml");
    writeFileSync(f, "extends: aggressive\nkeep_tiers: [critical, gold]\n");
    const r = await run(["generate", "--profile", f, "-o", dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, /p\.yaml:2 \(keep_tiers\.1\): must be equal to one of the allowed values/);
  });

  it("refuses an unknown profile name and a cycle of extends", async () => {
    assert.match((await run(["generate", "--profile", "fastest", "-o", tmp()])).err, /no such profile file[\s\S]*hint: use one of conservative, balanced/);
    const dir = tmp();
    writeFileSync(join(dir, "a.yaml"), "extends: b.yaml\n");
    writeFileSync(join(dir, "b.yaml"), "extends: a.yaml\n");
    assert.match((await run(["generate", "--profile", join(dir, "a.yaml"), "-o", dir])).err, /extends itself/);
  });

  it("lets cumulative_to_delta forget the series of exited processes", async () => {
    // Its default keeps every series forever: with process churn, the agent's memory grows.
    assert.equal(staleness("10s"), "300s");
    assert.equal(staleness("1m"), "600s");
    assert.equal(staleness("500ms"), "300s");
    for (const p of BUILTIN_PROFILES) {
      assert.match(readFileSync(join(repoRoot, "configs", p, "agent.yaml"), "utf8"), /cumulative_to_delta:[\s\S]*?max_staleness: \d+s/, p);
    }
  });

  it("has --help", async () => {
    const r = await run(["generate", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /--profile <name\|file>/);
  });
});

describe("nrdot schemas", () => {
  it("keeps schemas/ fresh", async () => {
    const dir = tmp();
    const r = await run(["schemas", "-o", dir]);
    assert.equal(r.code, 0, r.err);
    for (const f of readdirSync(dir)) {
      assert.equal(readFileSync(join(dir, f), "utf8"), readFileSync(join(repoRoot, "schemas", f), "utf8"), `schemas/${f} is stale: run \`npx nrdot schemas -o schemas\``);
    }
    assert.equal(readdirSync(dir).length, readdirSync(join(repoRoot, "schemas")).length, "schemas/ has no stale extra files");
  });
});

describe("nrdot validate", () => {
  const env = { NRDOT_DATA_DIR: tmp(), NRDOT_WASM_DIR: join(repoRoot, "build/wasm") };

  it("accepts every generated config, the real collector included", async () => {
    for (const p of BUILTIN_PROFILES) {
      const r = await run(["validate", join(repoRoot, "configs", p, "agent.yaml"), "--collector", join(repoRoot, "bin/nrdot-collector")], env);
      assert.equal(r.code, 0, r.err);
    }
  });

  it("catches a typo the collector would ignore, naming file, path and line", async () => {
    const dir = tmp();
    const f = join(dir, "typo.yaml");
    const cfg = readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8").replace("  routing/tier:\n", "  routing/tier:\n    default_pipeline: [metrics/standard]\n");
    writeFileSync(f, cfg);
    const r = await run(["validate", f, "--no-collector-check"], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /typo\.yaml:\d+ \(connectors::routing\/tier::default_pipeline\): unknown key/);
    assert.match(r.err, /did you mean `default_pipelines`\?/);
  });

  it("suggests the key a schema knows, for any component", async () => {
    const dir = tmp();
    const f = join(dir, "typo.yaml");
    const cfg = readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8")
      .replace("    collection_interval: 10s\n", "    collection_interval: 10s\n    metadata_collection_intervall: 5m\n")
      .replace("    max_staleness:", "    max_stalenes:");
    writeFileSync(f, cfg);
    const r = await run(["validate", f, "--no-collector-check"], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /receivers::host_metrics::metadata_collection_intervall\): unknown key[\s\S]*did you mean `metadata_collection_interval`\?/);
    assert.match(r.err, /processors::cumulative_to_delta::max_stalenes\): unknown key[\s\S]*did you mean `max_staleness`\?/);
    assert.match(r.err, /2 problem\(s\)/);
  });

  it("catches graph mistakes: memory_limiter not first, undefined components, a one-sided connector", async () => {
    const dir = tmp();
    const f = join(dir, "graph.yaml");
    const cfg = readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8")
      .replace("- memory_limiter\n        - cumulative_to_delta", "- cumulative_to_delta\n        - memory_limiter")
      .replace("processors:\n        - batch/sampled", "processors:\n        - batch/nope")
      .replace("    default_pipelines:\n      - metrics/standard\n", "");
    writeFileSync(f, cfg);
    const r = await run(["validate", f, "--no-collector-check"], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /memory_limiter must be the first processor/);
    assert.match(r.err, /`batch\/nope` is not defined under processors/);
    assert.match(r.err, /no default_pipelines: resources the table does not match/);
  });

  it("checks every generated component against its schema, naming the key", async () => {
    const dir = tmp();
    const f = join(dir, "schema.yaml");
    writeFileSync(f, readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8").replace("send_batch_size: 512", "send_batch_sise: 512"));
    const r = await run(["validate", f, "--no-collector-check"], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /schema\.yaml:\d+ \(processors::batch\/critical::send_batch_sise\): unknown key `send_batch_sise`/);
  });

  it("lets each module judge its own config, naming the line of the bad key", async () => {
    const dir = tmp();
    const f = join(dir, "module-config.yaml");
    writeFileSync(f, readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8").replace("      max_processes: 25", "      max_processs: 25"));
    const r = await run(["validate", f, "--no-collector-check"], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /module-config\.yaml:\d+ \(processors::wasm\/optimize::config::max_processs\): refused by .*optimize\.wasm: max_processs: unknown key/);
    assert.match(r.err, /did you mean `max_processes`\?/);
  });

  it("names a missing WASM module and how to build it", async () => {
    const r = await run(["validate", join(repoRoot, "configs/balanced/agent.yaml"), "--no-collector-check"], { ...env, NRDOT_WASM_DIR: "/nonexistent/wasm" });
    assert.equal(r.code, 1);
    assert.match(r.err, /processors::wasm\/optimize::module\): \/nonexistent\/wasm\/optimize\.wasm does not exist/);
    assert.match(r.err, /make wasm/);
  });

  it("says when the collector binary is absent", async () => {
    const r = await run(["validate", join(repoRoot, "configs/balanced/agent.yaml"), "--collector", "/nonexistent/otelcol"], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /\/nonexistent\/otelcol: the collector binary is missing[\s\S]*make build/);
  });

  it("passes the collector's own refusal through", async () => {
    const dir = tmp();
    const f = join(dir, "bad.yaml");
    // Valid to our schemas; the memory_limiter's own Validate refuses a spike above the limit.
    writeFileSync(f, readFileSync(join(repoRoot, "configs/balanced/agent.yaml"), "utf8").replace("spike_limit_mib: 100", "spike_limit_mib: 900"));
    const r = await run(["validate", f], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /the collector refused the config[\s\S]*memory_limiter/);
  });
});
