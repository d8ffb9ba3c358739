// Regenerates the collector configs that deploy/kubernetes ships, with the nrdot CLI
// (`nrdot generate --mode gateway`), and checks that the checked-in copies are current.
//
//   node --import tsx scripts/deploy-configs.ts           rewrite them
//   node --import tsx scripts/deploy-configs.ts --check   exit 1 when one is stale
//
// Two kinds of targets:
// - copies: the CLI's output verbatim, read by kustomize's configMapGenerator;
// - embeds: one key of a hand-written file (the Helm chart's alternateConfig, the operator's
//   spec.config) set to the generated config; the rest of that file, comments included, is kept.
//   The container overrides (CONTAINER_OVERRIDES) go where each manifest takes them: the Helm
//   chart's agent gets them as --config=yaml: args (command.extraArgs); the operator takes the
//   config as an object and its args as a map (no repeated --config), so they are applied to its
//   copy. (base/agent/daemonset.yaml passes the same values as --config flags, by hand;
//   deploy/kubernetes/validate checks every manifest's effective config.)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseDocument } from "yaml";
import { generateGateway, ROOT, writeFiles } from "./generated.ts";

const K = "deploy/kubernetes";

type Which = "agent" | "gateway";
interface Gen { profile: string; backend: "newrelic" | "file" }

/** What the agent's and the gateway's containers override in a generated config. */
const CONTAINER_OVERRIDES: Record<Which, [string[], unknown][]> = {
  agent: [
    [["receivers", "host_metrics", "root_path"], "/hostfs"],
    [["extensions", "health_check", "endpoint"], "0.0.0.0:13133"],
    [["service", "telemetry", "metrics", "readers"], [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }]],
  ],
  gateway: [
    // The gateway's generated config already listens on every interface; the operator reads the
    // receiver's, health_check's and telemetry's ports from the config, so they are given without
    // ${env:}. The generated 13134 and 8889 keep a gateway apart from an agent on one host; in a
    // pod of its own it takes the usual ports, as the other manifests do by NRDOT_HEALTH_ENDPOINT
    // and NRDOT_TELEMETRY_PORT.
    [["receivers", "otlp", "protocols", "grpc", "endpoint"], "0.0.0.0:4317"],
    [["extensions", "health_check", "endpoint"], "0.0.0.0:13133"],
    [["service", "telemetry", "metrics", "readers"], [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }]],
  ],
};

const COPIES: { path: string; gen: Gen; which: Which }[] = [
  { path: `${K}/base/config/agent.yaml`, gen: { profile: "balanced", backend: "newrelic" }, which: "agent" },
  { path: `${K}/base/config/gateway.yaml`, gen: { profile: "balanced", backend: "newrelic" }, which: "gateway" },
  { path: `${K}/overlays/aggressive/config/agent.yaml`, gen: { profile: "aggressive", backend: "newrelic" }, which: "agent" },
  { path: `${K}/overlays/local/config/gateway.yaml`, gen: { profile: "balanced", backend: "file" }, which: "gateway" },
];

// overrides: "config" applies CONTAINER_OVERRIDES to the embedded config; a key writes them there
// as --config=yaml: args; none: the manifest sets them through the environment (the Helm gateway's
// extraEnvs NRDOT_HEALTH_ENDPOINT and NRDOT_TELEMETRY_PORT).
const EMBEDS: { path: string; key: string[]; gen: Gen; which: Which; overrides?: "config" | string[] }[] = [
  { path: `${K}/helm/agent-values.yaml`, key: ["alternateConfig"], gen: { profile: "balanced", backend: "newrelic" }, which: "agent", overrides: ["command", "extraArgs"] },
  { path: `${K}/helm/gateway-values.yaml`, key: ["alternateConfig"], gen: { profile: "balanced", backend: "newrelic" }, which: "gateway" },
  { path: `${K}/operator/agent.yaml`, key: ["spec", "config"], gen: { profile: "balanced", backend: "newrelic" }, which: "agent", overrides: "config" },
  { path: `${K}/operator/gateway.yaml`, key: ["spec", "config"], gen: { profile: "balanced", backend: "newrelic" }, which: "gateway", overrides: "config" },
];

/** An override as a --config=yaml: arg in JSON, without ": " (the chart renders each arg unquoted). */
const overrideArg = ([path, value]: [string[], unknown]) => `--config=yaml:${JSON.stringify({ [path.join("::")]: value })}`;

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

const generated = new Map<string, Record<Which, string>>();
function generate(tmp: string, gen: Gen): Record<Which, string> {
  const id = `${gen.profile}-${gen.backend}`;
  const have = generated.get(id);
  if (have) return have;
  const got = generateGateway(gen.profile, gen.backend, join(tmp, id));
  generated.set(id, got);
  return got;
}

function main(): number {
  const tmp = mkdtempSync(join(tmpdir(), "nrdot-deploy-"));
  const out = new Map<string, string>();
  try {
    for (const c of COPIES) out.set(c.path, generate(tmp, c.gen)[c.which]);
    for (const e of EMBEDS) {
      const config = parse(generate(tmp, e.gen)[e.which]) as Record<string, unknown>;
      if (e.overrides === "config") for (const [path, value] of CONTAINER_OVERRIDES[e.which]) setPath(config, path, value);
      const doc = parseDocument(readFileSync(join(ROOT, e.path), "utf8"));
      doc.setIn(e.key, doc.createNode(config));
      if (Array.isArray(e.overrides)) {
        const args = doc.createNode(CONTAINER_OVERRIDES[e.which].map(overrideArg));
        for (const a of args.items) a.type = "QUOTE_SINGLE"; // readable; the same strings plain
        doc.setIn(e.overrides, args);
      }
      out.set(e.path, doc.toString({ lineWidth: 0 }));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return writeFiles(out, process.argv.includes("--check"), "scripts/deploy-configs.ts");
}

process.exitCode = main();
