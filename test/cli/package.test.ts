// The CLI as users install it: `npm pack` (which compiles dist/ first), the tarball installed into
// an empty folder, and the installed command run from there (no sources, no tsx): its profiles
// and WASM modules come from the package.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../e2e/collector.ts";
import { repoRoot } from "./run.ts";

describe("npm pack, npm install ./nrdot-*.tgz, npx nrdot", () => {
  let dir: string;
  let project: string;
  const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" }, stdio: ["ignore", "pipe", "pipe"] });
  const env: NodeJS.ProcessEnv = { ...process.env, NEW_RELIC_LICENSE_KEY: "" };
  delete env.NRDOT_WASM_DIR;
  const nrdot = (args: string[]) => spawnSync(join(project, "node_modules/.bin/nrdot"), args, { cwd: project, encoding: "utf8", env });

  before(() => {
    if (!existsSync(join(repoRoot, "build/wasm/optimize.wasm"))) throw new Error("build/wasm is missing: run `make wasm` first (the package ships the modules)");
    dir = mkdtempSync(join(tmpdir(), "nrdot-pack-"));
    npm(["pack", "--silent", "--pack-destination", dir], repoRoot);
    const tgz = readdirSync(dir).filter((f) => /^nrdot-.*\.tgz$/.test(f));
    assert.equal(tgz.length, 1, `npm pack wrote ${tgz.join(", ")}`);
    project = join(dir, "empty");
    execFileSync("mkdir", [project]);
    // The registry (or the npm cache) gives the dependencies; nothing else is needed.
    npm(["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, tgz[0])], project);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("ships dist/, the modules, the profiles and the schemas, not the sources", () => {
    const pkg = join(project, "node_modules/nrdot");
    for (const f of ["dist/bin/nrdot.js", "dist/cli.js", "dist/commands.json", "build/wasm/optimize.wasm", "build/wasm/classify.wasm", "profiles/balanced.yaml", "schemas/profile.schema.json"]) {
      assert.ok(existsSync(join(pkg, f)), `${f} is in the package`);
    }
    assert.ok(!existsSync(join(pkg, "src")), "no sources");
    assert.ok(!existsSync(join(project, "node_modules/tsx")), "tsx is for development only");
  });

  it("npx nrdot --help works in the folder", () => {
    const out = execFileSync("npx", ["--no-install", "nrdot", "--help"], { cwd: project, encoding: "utf8" });
    assert.match(out, /^Usage: nrdot \[options\] \[command\]/);
    for (const c of ["generate", "validate", "simulate", "replay", "record", "schemas", "status", "experiment"]) assert.match(out, new RegExp(`^  ${c} `, "m"));
  });

  it("a command's own help loads that command", () => {
    const r = nrdot(["status", "--help"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /--endpoint <url>/);
  });

  it("generate finds the package's profiles; validate and simulate its WASM modules", () => {
    const g = nrdot(["generate", "--profile", "aggressive", "-o", "out"]);
    assert.equal(g.status, 0, g.stderr);
    assert.equal(g.stdout, "wrote out/agent.yaml\n");
    const v = nrdot(["validate", "out/agent.yaml", "--no-collector-check"]);
    assert.equal(v.status, 0, v.stderr);
    // A one-scrape recording of three processes is enough for the TS host to run the module.
    const proc = (pid: number, name: string, cpu: number) => ({
      resource: { attributes: [{ key: "process.pid", value: { intValue: String(pid) } }, { key: "process.executable.name", value: { stringValue: name } }] },
      scopeMetrics: [{ metrics: [{ name: "process.cpu.time", unit: "s", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: "1700000000000000000", asDouble: cpu, attributes: [{ key: "state", value: { stringValue: "user" } }] }] } }] }],
    });
    writeFileSync(join(project, "rec.jsonl"), JSON.stringify({ resourceMetrics: [proc(1, "init", 1), proc(2, "a", 2), proc(3, "b", 3)] }) + "\n");
    const s = nrdot(["simulate", "--input", "rec.jsonl", "--json"]);
    assert.equal(s.status, 0, s.stderr);
    assert.ok(JSON.parse(s.stdout));
  });

  it("status on an endpoint that is down exits non-zero and names it", async () => {
    const port = await freePort();
    const r = nrdot(["status", "--endpoint", `127.0.0.1:${port}`]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}/metrics`));
  });
});
