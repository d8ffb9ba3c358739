import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadInstance, loadModule, ModuleError, readInterface, StatusError, TrapError, type ModuleProblem } from "../../src/host/index.ts";
import { builtModule, tempFile, testModules } from "./helpers.ts";
import { abiModule, HOST_IMPORTS, op } from "./wasm.ts";

const scripted = join(testModules, "scripted.wasm");

async function refusal(file: string, problem: ModuleProblem): Promise<string> {
  try {
    await loadModule(file);
  } catch (e) {
    assert.ok(e instanceof ModuleError, `expected ModuleError, got ${e}`);
    assert.equal(e.file, file);
    assert.equal(e.problem, problem, e.message);
    assert.ok(e.message.startsWith(`${file}: `), `the message names the file: ${e.message}`);
    return e.message;
  }
  assert.fail(`${file} was accepted`);
}

describe("module checks", () => {
  it("accepts the minimal hand-assembled module and the built classify module", async () => {
    await loadModule(tempFile("minimal.wasm", abiModule({ imports: HOST_IMPORTS })));
    const iface = readInterface(new Uint8Array(abiModule({ imports: HOST_IMPORTS })));
    assert.deepEqual(iface.imports[1], { module: "nrdot", name: "now_ms", kind: "function", type: { params: [], results: ["f64"] } });
    assert.deepEqual(iface.exports.get("nrdot_process"), { kind: "function", type: { params: ["i32", "i32"], results: ["i32"] } });
  });

  it("refuses a missing file, naming it and the fix", async () => {
    const f = join(testModules, "no-such-module.wasm");
    assert.match(await refusal(f, "missing"), /no-such-module\.wasm: cannot read: .*make wasm/);
  });

  it("refuses a file that is not WebAssembly, or is corrupt", async () => {
    assert.match(await refusal(tempFile("text.wasm", "this is not wasm at all"), "invalid"), /text\.wasm: not a WebAssembly module/);
    const garbage = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0, 0x01, 0xff, 0x13, 0x37, 0x42]);
    assert.match(await refusal(tempFile("corrupt.wasm", garbage), "invalid"), /corrupt\.wasm: a corrupt WebAssembly module/);
    const truncated = abiModule().subarray(0, 60);
    await refusal(tempFile("truncated.wasm", truncated), "invalid");
  });

  it("refuses imports other than the nrdot functions", async () => {
    const abort = { module: "env", name: "abort", params: ["i32", "i32", "i32", "i32"] as "i32"[], results: [] };
    assert.match(await refusal(tempFile("abort.wasm", abiModule({ imports: [...HOST_IMPORTS, abort] })), "import"),
      /abort\.wasm: imports env\.abort, but only nrdot\.\{log,now_ms,memory_pressure,report_gauge\} are provided \(build with --runtime stub/);
    const other = { module: "nrdot", name: "random", params: [], results: ["f64" as const] };
    assert.match(await refusal(tempFile("random.wasm", abiModule({ imports: [other] })), "import"), /imports nrdot\.random/);
    const memory = { module: "env", name: "memory", kind: "memory" as const };
    assert.match(await refusal(tempFile("memimport.wasm", abiModule({ imports: [memory], memory: false })), "import"),
      /imports memory env\.memory; the module must define and export its own memory/);
  });

  it("refuses a host import with the wrong signature", async () => {
    const now = { module: "nrdot", name: "now_ms", params: [], results: ["i32" as const] };
    assert.match(await refusal(tempFile("now.wasm", abiModule({ imports: [now] })), "import"),
      /imports nrdot\.now_ms as \(\) -> i32; the host provides \(\) -> f64/);
  });

  it("refuses a module without its memory or an ABI export, or with a wrong signature", async () => {
    assert.match(await refusal(tempFile("nomem.wasm", abiModule({ exportMemory: "mem" })), "export"), /does not export its memory as "memory"/);
    assert.match(await refusal(tempFile("noerror.wasm", abiModule({ omit: ["nrdot_error"] })), "export"),
      /noerror\.wasm: does not export nrdot_error: not an NRDOT ABI v2 module/);
    assert.match(await refusal(tempFile("v1.wasm", abiModule({ version: 1, omit: ["nrdot_rollup"] })), "export"),
      /v1\.wasm: does not export nrdot_rollup: not an NRDOT ABI v2 module/, "an ABI v1 module lacks nrdot_rollup");
    const bad = abiModule({ funcs: { nrdot_process: { params: ["i32"], results: ["i32"], body: op.i32(0) } } });
    assert.match(await refusal(tempFile("sig.wasm", bad), "export"), /export nrdot_process has the wrong signature \(i32\) -> i32, want \(i32, i32\) -> i32/);
  });

  it("refuses a module of another ABI version", async () => {
    assert.match(await refusal(tempFile("v3.wasm", abiModule({ version: 3 })), "version"), /v3\.wasm: exports ABI version 3, this host supports version 2/);
    assert.match(await refusal(join(testModules, "wrong_version.wasm"), "version"), /exports ABI version 3/);
  });

  it("refuses a module whose nrdot_abi_version traps", async () => {
    const trapping = abiModule({ funcs: { nrdot_abi_version: { params: [], results: ["i32"], body: [...op.unreachable, ...op.i32(1)] } } });
    assert.match(await refusal(tempFile("trapv.wasm", trapping), "version"), /nrdot_abi_version trapped/);
  });

  it("refuses a module declaring a column line it does not know", async () => {
    // nrdot_columns returns 9 bytes at 0: "metrics x" (written by nrdot_configure)
    const declaration = [..."metrics x"].map((c) => c.charCodeAt(0));
    const write = declaration.flatMap((b, i) => [...op.i32(i), ...op.i32(b), ...op.i32store8(0)]);
    const m = abiModule({ funcs: {
      nrdot_configure: { params: ["i32", "i32"], results: ["i32"], body: [...write, ...op.i32(0)] },
      nrdot_columns: { params: [], results: ["i32"], body: op.i32(declaration.length) },
    } });
    const file = tempFile("cols.wasm", m);
    const inst = await loadModule(file);
    assert.throws(() => inst.configure({}), (e: unknown) => e instanceof ModuleError && e.problem === "columns" &&
      /cols\.wasm: column declaration line 1: "metrics x" is neither/.test(e.message));
  });

  it("refuses a module declaring a roll-up line it does not know, naming the file and the line", async () => {
    const inst = await loadModule(scripted);
    assert.throws(() => inst.configure({ bad_rollup: true }), (e: unknown) => e instanceof ModuleError && e.problem === "rollup" &&
      e.message.startsWith(`${scripted}: roll-up declaration line 2: "sum everything": not one of`));
  });
});

describe("calls", () => {
  it("configures, declares columns and decides with the built classify module", async () => {
    const inst = await loadInstance(builtModule("classify"));
    assert.deepEqual(inst.columns(), { attrs: ["process.executable.name", "process.command_line", "process.owner"], metrics: [] });
    assert.deepEqual(inst.process([{ attrs: { "process.executable.name": "postgres" }, metrics: {} }]), [{ action: "keep", tier: "critical", score: 1 }]);
    assert.deepEqual(inst.process([]), []);
    assert.equal(inst.snapshot().length, 0);
    inst.restore(new Uint8Array());
  });

  it("reports a refused config with the module's message", async () => {
    await assert.rejects(loadInstance(scripted, { refuse: true }), (e: unknown) =>
      e instanceof StatusError && e.status === 1 && e.call === "nrdot_configure" && /told to refuse/.test(e.detail) && /BAD_CONFIG/.test(e.message));
    await assert.rejects(loadInstance(builtModule("classify"), { rulez: [] }), (e: unknown) =>
      e instanceof StatusError && e.status === 1 && /rulez: unknown key/.test(e.detail));
  });

  it("reads the roll-up declaration with the columns", async () => {
    const inst = await loadInstance(scripted);
    assert.deepEqual(inst.rollup(), {
      group: ["host.name"], strip: ["process.", "nrdot."],
      set: [
        { key: "process.executable.name", value: { stringValue: "other" } },
        { key: "nrdot.rollup", value: { boolValue: true } },
        { key: "nrdot.tier", value: { stringValue: "sampled" } },
      ],
      count: "nrdot.rollup.count",
    });
    assert.deepEqual((await loadInstance(builtModule("optimize"))).rollup(), inst.rollup(), "optimize declares the same");
    assert.deepEqual((await loadInstance(builtModule("classify"))).rollup(), inst.rollup(), "classify declares the same");
  });

  it("keeps the lifecycle: configure first, and once", async () => {
    const inst = await loadModule(scripted);
    assert.throws(() => inst.process([]), /process before configure/);
    assert.throws(() => inst.columns(), /columns before configure/);
    assert.throws(() => inst.rollup(), /rollup before configure/);
    inst.configure({});
    assert.throws(() => inst.configure({}), /configure called twice/);
  });

  it("turns a trap into a TrapError and discards the instance", async () => {
    const inst = await loadInstance(scripted);
    const row = (name: string) => ({ attrs: { "process.executable.name": name }, metrics: {} });
    assert.throws(() => inst.process([row("trap-now")]), (e: unknown) => e instanceof TrapError && e.call === "nrdot_process");
    assert.throws(() => inst.process([row("x")]), (e: unknown) => e instanceof TrapError && /discarded after a trap in nrdot_process/.test(e.message));
    const fresh = await inst.fresh();
    fresh.configure({});
    assert.equal(fresh.process([row("x")])[0].tier, "standard");
  });

  it("treats a buffer outside memory as a trap", async () => {
    const m = abiModule({ funcs: { nrdot_buffer: { params: ["i32"], results: ["i32"], body: op.i32(65536 - 8) } } });
    const inst = await loadModule(tempFile("oob.wasm", m));
    assert.throws(() => inst.configure({ key: "value" }), (e: unknown) => e instanceof TrapError && /outside memory/.test(e.message));
  });

  it("passes a pre-encoded table through", async () => {
    const inst = await loadInstance(builtModule("classify"));
    const bad = new Uint8Array(16);
    assert.throws(() => inst.process(bad), (e: unknown) => e instanceof StatusError && e.status === 2);
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

  it("passes guest log lines to the logger and ignores bad pointers", async () => {
    const lines: [number, string][] = [];
    const inst = await loadModule(scripted, { log: (l, m) => lines.push([l, m]) });
    inst.configure({});
    inst.process([{ attrs: { "process.executable.name": "x" }, metrics: {} }]);
    assert.deepEqual(lines.map((l) => l[1]), ["processed a batch"]);

    // nrdot_configure logs its own input at level 2, then 16 bytes at 0xfffffff0
    const log = [...op.i32(2), ...op.local(0), ...op.local(1), ...op.call(0), ...op.i32(3), ...op.i32(-16), ...op.i32(16), ...op.call(0), ...op.i32(0)];
    const m = abiModule({ imports: HOST_IMPORTS, funcs: { nrdot_configure: { params: ["i32", "i32"], results: ["i32"], body: log } } });
    const got: [number, string][] = [];
    (await loadModule(tempFile("log.wasm", m), { log: (l, msg) => got.push([l, msg]) })).configure({ "ключ": "значение" });
    assert.deepEqual(got, [[2, '{"ключ":"значение"}']]);
  });

  it("records report_gauge per name, ignoring non-finite values and bad pointers", async () => {
    const reportGauge = { module: "nrdot", name: "report_gauge", params: ["i32", "i32", "f64"] as ("i32" | "f64")[], results: [] };
    const f64 = (v: number) => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
    // nrdot_process writes "g" at 100, reports g = 2.5, then g = NaN, g = Infinity and 16 bytes at 0xfffffff0
    const body = [...op.i32(100), ...op.i32(0x67), ...op.i32store8(0),
      ...op.i32(100), ...op.i32(1), ...f64(2.5), ...op.call(3),
      ...op.i32(100), ...op.i32(1), ...f64(NaN), ...op.call(3),
      ...op.i32(100), ...op.i32(1), ...f64(Infinity), ...op.call(3),
      ...op.i32(-16), ...op.i32(16), ...f64(7), ...op.call(3), ...op.i32(0)];
    const file = tempFile("gauge.wasm", abiModule({ imports: [...HOST_IMPORTS, reportGauge], funcs: { nrdot_process: { params: ["i32", "i32"], results: ["i32"], body } } }));
    const told: [string, number][] = [];
    const inst = await loadInstance(file, {}, { gauge: (name, value) => told.push([name, value]) });
    assert.deepEqual([...inst.gauges()], [], "nothing before the first report");
    inst.process([{ attrs: {}, metrics: {} }]);
    assert.deepEqual([...inst.gauges()], [["g", 2.5]]);
    assert.deepEqual(told, [["g", 2.5]]);
  });

  it("provides now_ms and memory_pressure (clamped to [0, 1])", async () => {
    // nrdot_process writes the decision "keep, unset" with score = memory_pressure() + now_ms()
    const body = [...op.i32(0), ...op.call(2), ...op.call(1), 0xa0 /* f64.add */, ...op.f64store(8), ...op.i32(0)];
    const file = tempFile("pressure.wasm", abiModule({ imports: HOST_IMPORTS, funcs: { nrdot_process: { params: ["i32", "i32"], results: ["i32"], body } } }));
    const score = async (pressure: number) => {
      const inst = await loadInstance(file, {}, { memoryPressure: () => pressure, now: () => 1000 });
      return inst.process([{ attrs: {}, metrics: {} }])[0].score;
    };
    assert.equal(await score(0.25), 1000.25);
    assert.equal(await score(7), 1001);
    assert.equal(await score(NaN), 1000);
    const inst = await loadInstance(file);
    const d = inst.process([{ attrs: {}, metrics: {} }])[0];
    assert.ok(Math.abs(d.score - Date.now()) < 60_000, "now_ms defaults to the wall clock, pressure to 0");
  });
});
