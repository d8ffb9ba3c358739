// A guest module in the plain WebAssembly API: the same checks, calls and failure semantics as
// the Go host (collector/wasmprocessor), so simulations decide exactly what the collector does.
import { readFile } from "node:fs/promises";
import { ABI_VERSION, DECISION_SIZE, HOST_FUNCTIONS, HOST_MODULE, REQUIRED_EXPORTS, Status, type Decision } from "./abi.ts";
import { parseColumns, type Columns } from "./columns.ts";
import { decodeDecisions, encodeTable, type Row } from "./table.ts";

/** ModuleError: the module file is missing, not WebAssembly, or not of our ABI. */
export class ModuleError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = "ModuleError";
  }
}

/** TrapError: the guest trapped; the instance must be discarded (the batch passes through). */
export class TrapError extends Error {
  constructor(call: string, cause: unknown) {
    super(`wasm guest trapped in ${call}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "TrapError";
  }
}

/** StatusError: the guest returned a non-zero status with a message (e.g. a refused config). */
export class StatusError extends Error {
  constructor(readonly call: string, readonly status: number, readonly detail: string) {
    super(`${call} returned status ${status}: ${detail}`);
    this.name = "StatusError";
  }
}

export interface HostOptions {
  log?: (level: number, message: string) => void;
  memoryPressure?: () => number;
}

type Exports = {
  memory: WebAssembly.Memory;
} & Record<(typeof REQUIRED_EXPORTS)[number], (...args: number[]) => number>;

/** A compiled, checked module; instantiate() gives instances. */
export class WasmModule {
  private constructor(readonly file: string, readonly module: WebAssembly.Module) {}

  static async load(file: string): Promise<WasmModule> {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new ModuleError(file, `cannot read: ${(e as Error).message}; build it with \`make wasm\`, or fix the path`);
    }
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(bytes);
    } catch (e) {
      throw new ModuleError(file, `not a valid WebAssembly module (${(e as Error).message}); rebuild it with \`make wasm\``);
    }
    checkShape(file, module);
    return new WasmModule(file, module);
  }

  async instantiate(options: HostOptions = {}): Promise<WasmInstance> {
    const inst = new WasmInstance(this.file);
    await inst.init(this.module, options);
    return inst;
  }
}

function checkShape(file: string, module: WebAssembly.Module): void {
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== HOST_MODULE || imp.kind !== "function" || !(HOST_FUNCTIONS as readonly string[]).includes(imp.name)) {
      throw new ModuleError(file, `imports ${imp.module}.${imp.name}, but only ${HOST_MODULE}.{${HOST_FUNCTIONS.join(",")}} are provided (build with --runtime stub and --use abort=…)`);
    }
  }
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  if (exports.get("memory") !== "memory") throw new ModuleError(file, 'does not export its memory as "memory"');
  for (const name of REQUIRED_EXPORTS) {
    if (exports.get(name) !== "function") {
      throw new ModuleError(file, `does not export ${name}: not an NRDOT ABI v${ABI_VERSION} module`);
    }
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One instance. Not reentrant: callers make one call at a time. */
export class WasmInstance {
  private ex!: Exports;
  columns!: Columns;

  constructor(readonly file: string) {}

  async init(module: WebAssembly.Module, options: HostOptions): Promise<void> {
    const mem = () => new Uint8Array(this.ex.memory.buffer);
    const imports = {
      [HOST_MODULE]: {
        log: (level: number, ptr: number, len: number) => {
          if (ptr + len <= this.ex.memory.buffer.byteLength) options.log?.(level, decoder.decode(mem().subarray(ptr, ptr + len)));
        },
        now_ms: () => Date.now(),
        memory_pressure: () => options.memoryPressure?.() ?? 0,
      },
    };
    const instance = await WebAssembly.instantiate(module, imports);
    this.ex = instance.exports as unknown as Exports;
    const version = this.call("nrdot_abi_version");
    if (version !== ABI_VERSION) {
      throw new ModuleError(this.file, `exports ABI version ${version}, this host supports version ${ABI_VERSION}`);
    }
  }

  private call(name: (typeof REQUIRED_EXPORTS)[number], ...args: number[]): number {
    try {
      return this.ex[name](...args) >>> 0;
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) throw new TrapError(name, e);
      throw e;
    }
  }

  private output(len: number): Uint8Array {
    const ptr = this.call("nrdot_output_ptr");
    if (ptr + len > this.ex.memory.buffer.byteLength) throw new TrapError("nrdot_output_ptr", `output of ${len} bytes at ${ptr} is outside memory`);
    return new Uint8Array(this.ex.memory.buffer, ptr, len);
  }

  private status(name: (typeof REQUIRED_EXPORTS)[number], ...args: number[]): void {
    const st = this.call(name, ...args);
    if (st !== Status.OK) throw new StatusError(name, st, this.lastError());
  }

  lastError(): string {
    return decoder.decode(this.output(this.call("nrdot_error")));
  }

  private input(name: "nrdot_configure" | "nrdot_process" | "nrdot_restore", bytes: Uint8Array): void {
    const ptr = this.call("nrdot_buffer", bytes.length);
    if (ptr === 0 || ptr + bytes.length > this.ex.memory.buffer.byteLength) {
      throw new TrapError("nrdot_buffer", `could not provide ${bytes.length} bytes`);
    }
    new Uint8Array(this.ex.memory.buffer, ptr, bytes.length).set(bytes);
    this.status(name, ptr, bytes.length);
  }

  /** configure hands the config to the module and reads its column declaration. */
  configure(config: Record<string, unknown> = {}): void {
    this.input("nrdot_configure", encoder.encode(JSON.stringify(config)));
    this.columns = parseColumns(decoder.decode(this.output(this.call("nrdot_columns"))));
  }

  process(rows: readonly Row[]): Decision[] {
    this.input("nrdot_process", encodeTable(this.columns, rows));
    return decodeDecisions(this.output(rows.length * DECISION_SIZE), rows.length);
  }

  snapshot(): Uint8Array {
    const n = this.call("nrdot_snapshot") | 0;
    if (n < 0) throw new StatusError("nrdot_snapshot", -n, this.lastError());
    return this.output(n).slice();
  }

  restore(snapshot: Uint8Array): void {
    this.input("nrdot_restore", snapshot);
  }
}

/** loadInstance loads, instantiates and configures a module in one step. */
export async function loadInstance(file: string, config: Record<string, unknown> = {}, options: HostOptions = {}): Promise<WasmInstance> {
  const inst = await (await WasmModule.load(file)).instantiate(options);
  inst.configure(config);
  return inst;
}
