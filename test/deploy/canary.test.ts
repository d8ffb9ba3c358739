// The fleet rollout generator (scripts/canary.ts): the checked-in files are current; the Flagger
// thresholds follow the spec; the steps' node buckets; the spec's `canary` block; and the gate
// script (deploy/kubernetes/rollout/gate.sh) against a stub kubectl serving known streams.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { UserError } from "../../src/errors.ts";
import { loadSpec } from "../../src/experiment/spec.ts";
import { DEFAULT_SPEC, files, flaggerObjects, STEPS } from "../../scripts/canary.ts";
import { repoRoot } from "../cli/run.ts";

const dir = mkdtempSync(join(tmpdir(), "nrdot-canary-"));
const write = (name: string, body: string) => {
  const f = join(dir, name);
  writeFileSync(f, body);
  return f;
};
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

describe("canary generator", () => {
  it("the checked-in rollout and Flagger files are current", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/canary.ts", "--check"], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });

  it("takes the thresholds from the spec", () => {
    const f = write("spec.yaml", [
      "hypothesis: h", "control: balanced", "treatment: aggressive",
      "criteria: {min_cost_reduction: 0.35}",
      "canary: {max_send_failure_ratio: 0.01, max_p99_latency_ms: 40, interval: 2m, iterations: 5, threshold: 3}", "",
    ].join("\n"));
    const out = flaggerObjects(loadSpec(f), "spec.yaml");
    const [canary] = docs(out.canary);
    assert.equal(canary.kind, "Canary");
    assert.deepEqual(canary.spec.targetRef, { apiVersion: "apps/v1", kind: "DaemonSet", name: "nrdot-agent-canary" });
    const a = canary.spec.analysis;
    assert.deepEqual([a.interval, a.iterations, a.threshold], ["2m", 5, 3]);
    const byName = Object.fromEntries(a.metrics.map((m: any) => [m.name, m.thresholdRange]));
    assert.deepEqual(byName, { "optimization-ratio": { min: 0.35 }, "send-failure-ratio": { max: 0.01 }, "p99-latency": { max: 40 } });
    const names = docs(out.templates).map((t) => t.metadata.name);
    assert.deepEqual(names, ["nrdot-optimization-ratio", "nrdot-send-failure-ratio", "nrdot-p99-latency"]);
  });

  it("has no ratio guard when the spec sets no min_cost_reduction, and defaults for the rest", () => {
    const f = write("recall.yaml", "hypothesis: h\ncontrol: balanced\ntreatment: aggressive\ncriteria: {min_top_recall: 0.9}\n");
    const [canary] = docs(flaggerObjects(loadSpec(f), "recall.yaml").canary);
    assert.deepEqual(canary.spec.analysis.metrics.map((m: any) => [m.name, m.thresholdRange]),
      [["send-failure-ratio", { max: 0.001 }], ["p99-latency", { max: 100 }]]);
  });

  it("a misspelt canary key is a user error with a hint", () => {
    const f = write("typo.yaml", "hypothesis: h\ncontrol: balanced\ntreatment: aggressive\ncriteria: {min_top_recall: 0.9}\ncanary:\n  max_p99_latency: 40\n");
    assert.throws(() => loadSpec(f), (e: unknown) => e instanceof UserError && /canary\.max_p99_latency/.test(e.message) && /max_p99_latency_ms/.test(e.suggestion ?? ""));
  });

  it("pins each step's agents to its share of the node buckets", () => {
    const out = files(DEFAULT_SPEC);
    for (const step of STEPS) {
      const k = docs(out.get(`deploy/kubernetes/rollout/${step.name}/kustomization.yaml`)!)[0];
      const pinned: Record<string, { op: string; values: string[] }> = {};
      for (const p of k.patches ?? []) {
        const [{ value }] = docs(p.patch)[0];
        const e = value.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0];
        assert.equal(e.key, "nrdot.io/rollout-bucket");
        pinned[p.target.name] = { op: e.operator, values: e.values };
      }
      const n = (step.percent * 20) / 100;
      if (step.canary) {
        assert.equal(pinned["nrdot-agent-canary"].op, "In");
        assert.equal(pinned["nrdot-agent-canary"].values.length, n, step.name);
        assert.deepEqual(pinned["nrdot-agent"], { op: "NotIn", values: pinned["nrdot-agent-canary"].values });
      } else {
        assert.equal(pinned["nrdot-agent-canary"], undefined);
        assert.equal(pinned["nrdot-agent"], undefined);
      }
      if (step.shadow > 0) assert.equal(pinned["nrdot-agent-shadow"].values.length, (step.shadow * 20) / 100);
    }
  });
});

describe("rollout gate (gate.sh)", () => {
  // A stub kubectl: one shadow pod, whose three streams are the synthetic host's unoptimized
  // scrapes and the balanced and aggressive profiles' outputs of them (as in the migration guide):
  // aggressive misses the spec's top-N recall, so the gate must stop with 3.
  const fixture = join(repoRoot, "build/fixtures/host.jsonl");
  it("copies each node's streams, runs experiment analyze and exits with its verdict", { skip: !existsSync(fixture) && "no build/fixtures/host.jsonl (make fixtures)" }, () => {
    const streams = join(dir, "node-a");
    mkdirSync(streams, { recursive: true });
    execFileSync("cp", [fixture, join(streams, "reference.jsonl")]);
    for (const [arm, profile] of [["control", "balanced"], ["treatment", "aggressive"]]) {
      execFileSync(process.execPath, [join(repoRoot, "src/bin/nrdot.mjs"), "simulate", "--profile", profile, "--input", fixture, "-o", join(streams, `${arm}.jsonl`)], { cwd: repoRoot, stdio: "ignore" });
      // What gate.sh's `sed '$d'` leaves out: a last line still being written.
      writeFileSync(join(streams, `${arm}.jsonl`), "{\"resourceMetrics\": [", { flag: "a" });
    }
    writeFileSync(join(streams, "reference.jsonl"), "{\"resourceMetrics\": [", { flag: "a" });
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const kubectl = join(bin, "kubectl");
    writeFileSync(kubectl, [
      "#!/bin/sh",
      "case \"$*\" in",
      "  *'get pods'*) echo 'nrdot-agent-shadow-abcde node-a' ;;",
      // exec: run gate.sh's own command, on the node folder's files.
      "  *exec*) while [ \"$1\" != -- ]; do shift; done; shift",
      `    for a; do shift; case $a in /var/lib/nrdot/*) a="${streams}/\${a#/var/lib/nrdot/}" ;; esac; set -- "$@" "$a"; done`,
      "    exec \"$@\" ;;",
      "  *) echo \"stub kubectl: $*\" >&2; exit 2 ;;",
      "esac", "",
    ].join("\n"));
    chmodSync(kubectl, 0o755);
    const out = join(dir, "gate");
    const r = spawnSync("sh", [join(repoRoot, "deploy/kubernetes/rollout/gate.sh"), join(repoRoot, DEFAULT_SPEC), out], {
      cwd: repoRoot, encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NRDOT: `${process.execPath} ${join(repoRoot, "src/bin/nrdot.mjs")}` },
    });
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /gate: node-a: fail \(exit 3\)/);
    assert.match(r.stderr, /gate: FAIL on 1 node\(s\)/);
    assert.ok(existsSync(join(out, "node-a", "result.json")));
  });
});
