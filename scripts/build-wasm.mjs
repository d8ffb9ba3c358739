#!/usr/bin/env node
// Builds WASM modules with AssemblyScript (asconfig.json: stub runtime, the guest abort, -O3).
//
//   node scripts/build-wasm.mjs [--force] [--allow-foreign-imports] [entry.ts:out.wasm ...]
//
// Without pairs it builds every processor: processors/<name>/index.ts -> build/wasm/<name>.wasm
// (every folder but lib). With pairs it builds just those (paths relative to the current
// directory), e.g. the Go host's test modules. One asc call per module: several entries in one
// call would merge into one module. A module is rebuilt only when it is missing or older than its
// entry, a source under processors/ or asconfig.json, unless --force.
//
// Every module is then checked to import nothing but functions of the `nrdot` host module
// (docs/reference/abi.md, "Provided by the host"); --allow-foreign-imports turns that failure into
// a warning, for test modules that must break the rule on purpose.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const asc = join(root, "node_modules/.bin/asc");
const config = join(root, "asconfig.json");
const processorsDir = join(root, "processors");
const HOST_FUNCTIONS = new Set(["log", "now_ms", "memory_pressure", "report_gauge"]);

class UsageError extends Error {}

/** parseArgs splits argv into flags and entry:out pairs (absolute paths). */
export function parseArgs(argv, cwd = process.cwd()) {
  const opts = { force: false, allowForeignImports: false, pairs: [] };
  for (const arg of argv) {
    if (arg === "--force") opts.force = true;
    else if (arg === "--allow-foreign-imports") opts.allowForeignImports = true;
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg} (known: --force, --allow-foreign-imports)`);
    else {
      const at = arg.lastIndexOf(":");
      const entry = at > 0 ? arg.slice(0, at) : "";
      const out = at > 0 ? arg.slice(at + 1) : "";
      if (!entry.endsWith(".ts") || !out.endsWith(".wasm")) {
        throw new UsageError(`${arg}: expected <entry>.ts:<output>.wasm`);
      }
      const abs = resolve(cwd, entry);
      if (!existsSync(abs)) throw new UsageError(`${entry}: no such entry file`);
      opts.pairs.push({ entry: abs, out: resolve(cwd, out) });
    }
  }
  return opts;
}

/** processorPairs lists processors/<name>/index.ts -> build/wasm/<name>.wasm. */
function processorPairs() {
  const pairs = [];
  for (const name of readdirSync(processorsDir).sort()) {
    const entry = join(processorsDir, name, "index.ts");
    if (name === "lib" || !existsSync(entry)) continue;
    pairs.push({ entry, out: join(root, "build/wasm", `${name}.wasm`) });
  }
  return pairs;
}

/** newestSource is the newest mtime of the .ts sources under dir (tests excluded). */
function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "__tests__" && e.name !== "node_modules") newest = Math.max(newest, newestSource(p));
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".spec.ts")) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

/** foreignImports returns the imports of a module that the ABI does not allow, as "module.name". */
export function foreignImports(bytes) {
  const mod = new WebAssembly.Module(bytes);
  return WebAssembly.Module.imports(mod)
    .filter((i) => i.module !== "nrdot" || i.kind !== "function" || !HOST_FUNCTIONS.has(i.name))
    .map((i) => `${i.module}.${i.name} (${i.kind})`);
}

/** shown is how a path is named in messages: relative to the current directory when inside it. */
function shown(p) {
  const r = relative(process.cwd(), p);
  return r === "" || r.startsWith("..") ? p : r;
}

function build({ entry, out }) {
  mkdirSync(dirname(out), { recursive: true });
  // asc runs from the root: asconfig.json's lib and abort paths are relative to it.
  execFileSync(asc, [relative(root, entry), "--config", "asconfig.json", "--target", "release", "-o", relative(root, out)],
    { cwd: root, stdio: "inherit" });
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pairs = opts.pairs.length > 0 ? opts.pairs : processorPairs();
  const shared = Math.max(newestSource(processorsDir), statSync(config).mtimeMs);
  let built = 0;
  let failed = 0;
  for (const pair of pairs) {
    const name = shown(pair.out);
    const stale = opts.force || !existsSync(pair.out) ||
      statSync(pair.out).mtimeMs < Math.max(shared, statSync(pair.entry).mtimeMs);
    if (stale) {
      try {
        build(pair);
      } catch {
        console.error(`wasm: ${shown(pair.entry)}: asc failed (errors above)`);
        failed++;
        continue;
      }
      built++;
    }
    const foreign = foreignImports(readFileSync(pair.out));
    if (foreign.length > 0) {
      const msg = `${name} imports ${foreign.join(", ")}; a module may import only nrdot.log, nrdot.now_ms, ` +
        `nrdot.memory_pressure and nrdot.report_gauge (build it with asconfig.json: --runtime stub, --use abort=nrdotAbort; avoid console, Date, Math.random)`;
      if (opts.allowForeignImports) console.warn(`wasm: warning: ${msg}`);
      else {
        console.error(`wasm: ${msg}`);
        failed++;
      }
    }
  }
  if (failed > 0) {
    console.error(`wasm: ${failed} of ${pairs.length} module(s) failed`);
    process.exitCode = 1;
    return;
  }
  console.log(`wasm: ${built} of ${pairs.length} module(s) built`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    main();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`wasm: ${e.message}\nusage: node scripts/build-wasm.mjs [--force] [--allow-foreign-imports] [entry.ts:out.wasm ...]`);
    process.exitCode = 2;
  }
}
