import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadInstance, ModuleError, StatusError, TrapError, WasmModule } from "../../src/host/index.ts";
import { testModules } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nrdot-host-"));
const scripted = join(testModules, "scripted.wasm");

async function refusal(file: string): Promise<ModuleError> {
  try {
    await (await WasmModule.load(file)).instantiate();
  } catch (e) {
    assert.ok(e instanceof ModuleError, `expected ModuleError, got ${e}`);
    return e;
  }
  assert.fail(`${file} was accepted`);
}

describe("module checks", () => {
  it("refuses a missing file, naming it and the fix", async () => {
    const e = await refusal(join(dir, "missing.wasm"));
    assert.match(e.message, /missing\.wasm: cannot read: .*make wasm/);
  });
  it("refuses a corrupt file", async () => {
    const f = join(dir, "corrupt.wasm");
    writeFileSync(f, "\0asm\x01\0\0\0garbage");
    assert.match((await refusal(f)).message, /corrupt\.wasm: not a valid WebAssembly module/);
  });
  it("refuses a module with a foreign import", async () => {
    assert.match((await refusal(join(testModules, "foreign_import.wasm"))).message, /foreign_import\.wasm: imports env\.seed/);
  });
  it("refuses a module of another ABI version", async () => {
    assert.match((await refusal(join(testModules, "wrong_version.wasm"))).message, /wrong_version\.wasm: exports ABI version 2/);
  });
});

describe("calls", () => {
  it("reports a refused config with the module's message", async () => {
    await assert.rejects(loadInstance(scripted, { refuse: true }), (e: unknown) =>
      e instanceof StatusError && e.status === 1 && /told to refuse/.test(e.detail));
  });
  it("turns a trap into a TrapError", async () => {
    const inst = await loadInstance(scripted);
    assert.throws(() => inst.process([{ attrs: { "process.executable.name": "trap-now" }, metrics: {} }]), TrapError);
  });
  it("snapshots and restores state", async () => {
    const a = await loadInstance(scripted);
    const row = { attrs: { "process.executable.name": "count" }, metrics: {} };
    a.process([row]);
    a.process([row]);
    const snap = a.snapshot();
    const b = await loadInstance(scripted);
    b.restore(snap);
    assert.equal(b.process([row])[0].score, 3);
    assert.throws(() => b.restore(new Uint8Array([1, 2, 3])), (e: unknown) => e instanceof StatusError && e.status === 3);
  });
  it("passes guest log lines to the logger", async () => {
    const lines: string[] = [];
    const inst = await (await WasmModule.load(scripted)).instantiate({ log: (_l, m) => lines.push(m) });
    inst.configure({});
    inst.process([{ attrs: { "process.executable.name": "x" }, metrics: {} }]);
    assert.deepEqual(lines, ["processed a batch"]);
  });
});
