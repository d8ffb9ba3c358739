// A guest module in the plain WebAssembly API, with the same checks, calls and failure semantics
// as the Go host (collector/wasmprocessor), so simulations decide exactly what the collector does.
import { readFile } from "node:fs/promises";
import {
  ABI_VERSION, DECISION_SIZE, HOST_FUNCTIONS, HOST_MODULE, REQUIRED_EXPORTS, Status, statusName,
  type Decision, type ExportName,
} from "./abi.ts";
import { formatSignature, readInterface, sameSignature } from "./binary.ts";
import { parseColumns, type Columns } from "./columns.ts";
import { parseRollup, type RollupDeclaration } from "./rollup.ts";
import { encodeRows, type Row } from "./rows.ts";
import { decodeDecisions } from "./table.ts";

/** ModuleProblem says why a module was refused. */
export type ModuleProblem =
  | "missing" // the file cannot be read
  | "invalid" // not WebAssembly, or corrupt
  | "import" // imports something the host does not provide
  | "export" // lacks memory or an ABI function, or exports one with the wrong signature
  | "instantiate" // fails to link or start
  | "version" // nrdot_abi_version is not ABI_VERSION
  | "columns" // declares a column line the host does not know
  | "rollup"; // declares a roll-up line the host does not know

/** ModuleError: the module is refused; the message names the file and what is wrong. */
export class ModuleError extends Error {
  constructor(readonly file: string, readonly problem: ModuleProblem, detail: string) {
    super(`${file}: ${detail}`);
    this.name = "ModuleError";
  }
}

/**
 * TrapError: the guest trapped (or broke the ABI's memory contract) in call. The instance is
 * discarded: every later call throws TrapError too. Callers fail open: pass the batch through and
 * load a fresh instance (WasmModule.fresh), restoring the last snapshot.
 */
export class TrapError extends Error {
  constructor(readonly call: string, detail: string, options?: { cause?: unknown }) {
    super(`wasm guest trapped in ${call}: ${detail}`, options);
    this.name = "TrapError";
  }
}

/** StatusError: a call returned a non-zero status; detail is the module's nrdot_error message. */
export class StatusError extends Error {
  constructor(readonly call: string, readonly status: number, readonly detail: string) {
    super(`${call} returned status ${status} (${statusName(status)}): ${detail}`);
    this.name = "StatusError";
  }
}

/** HostOptions configures the import module "nrdot" of an instance. */
export interface HostOptions {
  /** log receives nrdot.log(i32 level, i32 ptr, i32 len) messages; level 0 debug … 3 error. Default: dropped. */
  log?: (level: number, message: string) => void;
  /** memoryPressure is what nrdot.memory_pressure() -> f64 returns, clamped to [0, 1]. Default: 0. */
  memoryPressure?: () => number;
  /** now is what nrdot.now_ms() -> f64 returns, milliseconds since the Unix epoch. Default: Date.now. */
  now?: () => number;
  /**
   * gauge is told every nrdot.report_gauge(name, value) with a finite value (the instance also
   * keeps the last value per name: WasmModule.gauges()). Default: only kept.
   */
  gauge?: (name: string, value: number) => void;
}

type Exports = { memory: WebAssembly.Memory } & Record<ExportName, (...args: number[]) => number>;

const text = new TextDecoder();
const utf8 = new TextEncoder();

/**
 * loadModule reads, compiles and checks the module at file, and instantiates it with the
 * "nrdot" imports. The instance still needs configure. Throws ModuleError.
 */
export function loadModule(file: string, options: HostOptions = {}): Promise<WasmModule> {
  return WasmModule.load(file, options);
}

/** loadInstance loads a module and configures it: steps 1 to 3 of the ABI's lifecycle. */
export async function loadInstance(file: string, config: Record<string, unknown> = {}, options: HostOptions = {}): Promise<WasmModule> {
  const m = await loadModule(file, options);
  m.configure(config);
  return m;
}

function checkInterface(file: string, bytes: Uint8Array): void {
  let iface: ReturnType<typeof readInterface>;
  try {
    iface = readInterface(bytes);
  } catch (e) {
    throw new ModuleError(file, "invalid", `cannot read its imports and exports: ${(e as Error).message}`);
  }
  const provided = `${HOST_MODULE}.{${Object.keys(HOST_FUNCTIONS).join(",")}}`;
  for (const imp of iface.imports) {
    const what = `${imp.module}.${imp.name}`;
    if (imp.kind === "memory") {
      throw new ModuleError(file, "import", `imports memory ${what}; the module must define and export its own memory`);
    }
    if (imp.module !== HOST_MODULE || imp.kind !== "function" || !Object.hasOwn(HOST_FUNCTIONS, imp.name)) {
      throw new ModuleError(file, "import", `imports ${imp.kind === "function" ? "" : imp.kind + " "}${what}, but only ${provided} are provided (build with --runtime stub and --use abort=…)`);
    }
    const want = HOST_FUNCTIONS[imp.name];
    if (!sameSignature(imp.type, want)) {
      throw new ModuleError(file, "import", `imports ${what} as ${formatSignature(imp.type)}; the host provides ${formatSignature(want)}`);
    }
  }
  if (iface.exports.get("memory")?.kind !== "memory") {
    throw new ModuleError(file, "export", 'does not export its memory as "memory"');
  }
  for (const [name, want] of Object.entries(REQUIRED_EXPORTS)) {
    const got = iface.exports.get(name);
    if (got?.kind !== "function") {
      throw new ModuleError(file, "export", `does not export ${name}: not an NRDOT ABI v${ABI_VERSION} module`);
    }
    if (!sameSignature(got.type, want)) {
      throw new ModuleError(file, "export", `export ${name} has the wrong signature ${formatSignature(got.type)}, want ${formatSignature(want)}`);
    }
  }
}

/**
 * WasmModule is one instance of a checked guest module. Calls follow the ABI's lifecycle:
 * configure once, then restore, process and snapshot in any order. Not reentrant: one call at a
 * time. After a trap the instance is discarded and every call throws TrapError.
 */
export class WasmModule {
  private ex!: Exports;
  private cols: Columns | undefined;
  private decl: RollupDeclaration | undefined;
  private trappedIn: string | undefined;
  private readonly reported = new Map<string, number>();

  private constructor(readonly file: string, private readonly compiled: WebAssembly.Module, private readonly options: HostOptions) {}

  /** load is loadModule. */
  static async load(file: string, options: HostOptions = {}): Promise<WasmModule> {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new ModuleError(file, "missing", `cannot read: ${(e as Error).message}; build it with \`make wasm\`, or fix the path`);
    }
    let compiled: WebAssembly.Module;
    try {
      compiled = await WebAssembly.compile(bytes);
    } catch (e) {
      const what = bytes.length >= 4 && text.decode(bytes.subarray(0, 4)) === "\0asm" ? "a corrupt WebAssembly module" : "not a WebAssembly module";
      throw new ModuleError(file, "invalid", `${what} (${(e as Error).message}); rebuild it with \`make wasm\``);
    }
    checkInterface(file, bytes);
    return WasmModule.instantiate(file, compiled, options);
  }

  private static async instantiate(file: string, compiled: WebAssembly.Module, options: HostOptions): Promise<WasmModule> {
    const m = new WasmModule(file, compiled, options);
    try {
      const instance = await WebAssembly.instantiate(compiled, { [HOST_MODULE]: m.hostFunctions() });
      m.ex = instance.exports as unknown as Exports;
    } catch (e) {
      throw new ModuleError(file, "instantiate", `cannot instantiate: ${(e as Error).message}`);
    }
    let version: number;
    try {
      version = m.ex.nrdot_abi_version();
    } catch (e) {
      throw new ModuleError(file, "version", `nrdot_abi_version trapped: ${(e as Error).message}`);
    }
    if (version !== ABI_VERSION) {
      throw new ModuleError(file, "version", `exports ABI version ${version}, this host supports version ${ABI_VERSION}`);
    }
    return m;
  }

  /** fresh is a new, unconfigured instance of the same module with the same host options. */
  fresh(): Promise<WasmModule> {
    return WasmModule.instantiate(this.file, this.compiled, this.options);
  }

  private hostFunctions(): Record<string, (...args: number[]) => number | void> {
    const { log, memoryPressure, now, gauge } = this.options;
    return {
      log: (level: number, ptr: number, len: number) => {
        if (!log || this.ex === undefined) return; // during the start function memory is not reachable yet
        const bytes = this.view(ptr >>> 0, len >>> 0);
        if (bytes) log(level, text.decode(bytes)); // a bad pointer is ignored
      },
      now_ms: () => (now ?? Date.now)(),
      memory_pressure: () => {
        const p = memoryPressure?.() ?? 0;
        return p > 0 ? Math.min(p, 1) : 0; // NaN and negatives are 0
      },
      report_gauge: (ptr: number, len: number, value: number) => {
        if (this.ex === undefined || !Number.isFinite(value)) return; // as in Go: ignored
        const bytes = this.view(ptr >>> 0, len >>> 0);
        if (!bytes) return; // a bad pointer is ignored
        const name = text.decode(bytes);
        this.reported.set(name, value);
        gauge?.(name, value);
      },
    };
  }

  /**
   * gauges is the last value this instance reported for each name with nrdot.report_gauge (the
   * Go host exports the names it knows, e.g. degradation_level, as its own gauges).
   */
  gauges(): ReadonlyMap<string, number> {
    return this.reported;
  }

  /** view is len bytes of guest memory at ptr, or undefined when they are outside it. */
  private view(ptr: number, len: number): Uint8Array | undefined {
    const buf = this.ex.memory.buffer;
    return ptr + len <= buf.byteLength ? new Uint8Array(buf, ptr, len) : undefined;
  }

  /** call invokes an export; a trap discards the instance. Results are the raw (signed) i32. */
  private call(name: ExportName, ...args: number[]): number {
    if (this.trappedIn !== undefined) {
      throw new TrapError(name, `the instance was discarded after a trap in ${this.trappedIn}; load a fresh one`);
    }
    try {
      return this.ex[name](...args);
    } catch (e) {
      this.trappedIn = name;
      // RangeError: V8 reports a guest stack overflow as "Maximum call stack size exceeded".
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) throw new TrapError(name, e.message, { cause: e });
      throw e; // a host function threw: the guest was interrupted, but the fault is the host's
    }
  }

  private trap(call: string, detail: string): TrapError {
    this.trappedIn = call;
    return new TrapError(call, detail);
  }

  /** output is a view of len bytes at nrdot_output_ptr, valid until the next call. */
  private output(len: number): Uint8Array {
    const ptr = this.call("nrdot_output_ptr") >>> 0;
    const bytes = this.view(ptr, len);
    if (!bytes) throw this.trap("nrdot_output_ptr", `output of ${len} bytes at 0x${ptr.toString(16)} is outside memory`);
    return bytes;
  }

  /** input copies bytes into the guest's buffer and calls name(ptr, len). */
  private input(name: "nrdot_configure" | "nrdot_process" | "nrdot_restore", bytes: Uint8Array): void {
    const ptr = this.call("nrdot_buffer", bytes.length) >>> 0;
    if (ptr === 0 && bytes.length > 0) throw this.trap("nrdot_buffer", `could not allocate ${bytes.length} bytes`);
    const dst = this.view(ptr, bytes.length);
    if (!dst) throw this.trap("nrdot_buffer", `returned ${bytes.length} bytes at 0x${ptr.toString(16)}, outside memory`);
    dst.set(bytes);
    const status = this.call(name, ptr, bytes.length) >>> 0;
    if (status !== Status.OK) throw new StatusError(name, status, this.lastError());
  }

  private configured(call: string): Columns {
    if (this.cols === undefined) throw new Error(`${this.file}: ${call} before configure: configure the instance first`);
    return this.cols;
  }

  /** lastError is the module's message for the last non-zero status ("" if none). */
  lastError(): string {
    try {
      return text.decode(this.output(this.call("nrdot_error") >>> 0));
    } catch (e) {
      if (e instanceof TrapError) return `(nrdot_error failed: ${e.message})`;
      throw e;
    }
  }

  /**
   * configure hands the processor's config map to nrdot_configure as JSON and reads the column
   * and roll-up declarations. Throws StatusError (BAD_CONFIG) with the module's message when it
   * is refused, ModuleError when a declaration has a line the host does not know.
   */
  configure(config: Record<string, unknown> = {}): void {
    if (this.cols !== undefined) throw new Error(`${this.file}: configure called twice: the ABI configures an instance once`);
    this.input("nrdot_configure", utf8.encode(JSON.stringify(config)));
    let cols: Columns;
    try {
      cols = parseColumns(text.decode(this.output(this.call("nrdot_columns") >>> 0)));
    } catch (e) {
      if (e instanceof TrapError) throw e;
      throw new ModuleError(this.file, "columns", (e as Error).message);
    }
    try {
      this.decl = parseRollup(text.decode(this.output(this.call("nrdot_rollup") >>> 0)));
    } catch (e) {
      if (e instanceof TrapError) throw e;
      throw new ModuleError(this.file, "rollup", (e as Error).message);
    }
    this.cols = cols;
  }

  /** columns is the module's column declaration, read by configure. */
  columns(): Columns {
    return this.configured("columns");
  }

  /** rollup is the module's roll-up declaration, read by configure. */
  rollup(): RollupDeclaration {
    this.configured("rollup");
    return this.decl!;
  }

  /**
   * process decides one batch: rows laid out for the declared columns, or a table already laid
   * out. Returns one decision per row, in order. Throws StatusError (BAD_TABLE, INTERNAL) or
   * TrapError.
   */
  process(batch: readonly Row[] | Uint8Array): Decision[] {
    const cols = this.configured("process");
    let table: Uint8Array;
    let rows: number;
    if (batch instanceof Uint8Array) {
      table = batch;
      rows = batch.length >= 8 ? new DataView(batch.buffer, batch.byteOffset, batch.byteLength).getUint32(4, true) : 0;
    } else {
      table = encodeRows(cols, batch);
      rows = batch.length;
    }
    this.input("nrdot_process", table);
    return decodeDecisions(this.output(rows * DECISION_SIZE), rows);
  }

  /** snapshot is a copy of the module's state (empty for a stateless module). */
  snapshot(): Uint8Array {
    this.configured("snapshot");
    const n = this.call("nrdot_snapshot") | 0;
    if (n < 0) throw new StatusError("nrdot_snapshot", -n, this.lastError());
    return this.output(n).slice();
  }

  /** restore hands back bytes from snapshot; throws StatusError (BAD_SNAPSHOT) when refused. */
  restore(snapshot: Uint8Array): void {
    this.configured("restore");
    this.input("nrdot_restore", snapshot);
  }
}
