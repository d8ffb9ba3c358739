#!/usr/bin/env node
// Builds one WASM module per processor: processors/<name>/index.ts -> build/wasm/<name>.wasm.
// One asc call per module (several entries in one call would merge into one module). Rebuilds
// only when a source under processors/ (or asconfig.json) is newer than the module, unless
// --force. Every module is then checked to import nothing but the `nrdot` host module.
//   node scripts/build-wasm.mjs [--force]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const asc = join(root, "node_modules/.bin/asc");
const force = process.argv.includes("--force");
const outDir = join(root, "build/wasm");

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith(".ts") && !p.includes("__tests__")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function checkImports(file) {
  const mod = new WebAssembly.Module(readFileSync(file));
  const foreign = WebAssembly.Module.imports(mod).filter((i) => i.module !== "nrdot");
  if (foreign.length > 0) {
    const names = foreign.map((i) => `${i.module}.${i.name}`).join(", ");
    throw new Error(`${relative(root, file)} imports ${names}; modules may import only from "nrdot" (see asconfig.json)`);
  }
}

const processorsDir = join(root, "processors");
const sources = Math.max(newestMtime(processorsDir), statSync(join(root, "asconfig.json")).mtimeMs);
mkdirSync(outDir, { recursive: true });
let built = 0;
for (const name of readdirSync(processorsDir).sort()) {
  const entry = join(processorsDir, name, "index.ts");
  if (name === "lib" || !existsSync(entry)) continue;
  const out = join(outDir, `${name}.wasm`);
  if (force || !existsSync(out) || statSync(out).mtimeMs < sources) {
    execFileSync(asc, [relative(root, entry), "--config", "asconfig.json", "--target", "release", "-o", relative(root, out)],
      { cwd: root, stdio: "inherit" });
    built++;
  }
  checkImports(out);
}
console.log(`wasm: ${built} module(s) built into ${relative(root, outDir)}/`);
