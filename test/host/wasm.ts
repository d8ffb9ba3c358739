// A tiny WebAssembly assembler for the host's tests: enough of the binary format to hand-build
// modules that break one rule of the ABI each (foreign import, wrong version, wrong signature, …).
type VT = "i32" | "f64";
const VT_BYTE: Record<VT, number> = { i32: 0x7f, f64: 0x7c };

export interface Func { export?: string; params: VT[]; results: VT[]; body: number[] }
export interface Import { module: string; name: string; kind?: "function" | "memory"; params?: VT[]; results?: VT[] }
export interface ModuleDef {
  imports?: Import[];
  /** memory: one page defined by the module, exported under exportMemory (default "memory"). */
  memory?: boolean;
  exportMemory?: string;
  funcs: Func[];
}

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const name = (s: string) => { const b = [...new TextEncoder().encode(s)]; return [...uleb(b.length), ...b]; };
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

/** Instructions used by the tests. */
export const op = {
  i32: (n: number) => [0x41, ...sleb(n)],
  local: (i: number) => [0x20, ...uleb(i)],
  call: (f: number) => [0x10, ...uleb(f)],
  /** f64.store align=8 at the address on the stack plus offset */
  f64store: (offset: number) => [0x39, 3, ...uleb(offset)],
  i32store8: (offset: number) => [0x3a, 0, ...uleb(offset)],
  drop: [0x1a],
  unreachable: [0x00],
};

export function assemble(m: ModuleDef): Uint8Array {
  const types: string[] = [];
  const typeIndex = (params: VT[], results: VT[]) => {
    const key = `${params.join(",")}>${results.join(",")}`;
    if (!types.includes(key)) types.push(key);
    return types.indexOf(key);
  };
  const imports = (m.imports ?? []).map((imp) =>
    imp.kind === "memory"
      ? [...name(imp.module), ...name(imp.name), 0x02, 0x00, 0x01]
      : [...name(imp.module), ...name(imp.name), 0x00, ...uleb(typeIndex(imp.params ?? [], imp.results ?? []))]);
  const funcImports = (m.imports ?? []).filter((i) => i.kind !== "memory").length;
  const funcs = m.funcs.map((f) => uleb(typeIndex(f.params, f.results)));
  const exports: number[][] = [];
  if (m.memory !== false && m.exportMemory !== "") exports.push([...name(m.exportMemory ?? "memory"), 0x02, 0x00]);
  m.funcs.forEach((f, i) => { if (f.export) exports.push([...name(f.export), 0x00, ...uleb(funcImports + i)]); });
  const code = m.funcs.map((f) => { const body = [0x00, ...f.body, 0x0b]; return [...uleb(body.length), ...body]; });
  const typeSec = types.map((k) => {
    const [p, r] = k.split(">").map((s) => (s ? (s.split(",") as VT[]) : []));
    return [0x60, ...vec(p.map((t) => [VT_BYTE[t]])), ...vec(r.map((t) => [VT_BYTE[t]]))];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(typeSec)),
    ...(imports.length ? section(2, vec(imports)) : []),
    ...section(3, vec(funcs)),
    ...(m.memory !== false ? section(5, vec([[0x00, 0x01]])) : []),
    ...section(7, vec(exports)),
    ...section(10, vec(code)),
  ]);
}

/** The host imports, in this order (function indexes 0, 1, 2 when all are imported). */
export const HOST_IMPORTS: Import[] = [
  { module: "nrdot", name: "log", params: ["i32", "i32", "i32"], results: [] },
  { module: "nrdot", name: "now_ms", params: [], results: ["f64"] },
  { module: "nrdot", name: "memory_pressure", params: [], results: ["f64"] },
];

export interface AbiOptions {
  version?: number;
  imports?: Import[];
  /** omit leaves these exports out. */
  omit?: string[];
  /** funcs replaces the default of an export (signature and body). */
  funcs?: Record<string, Omit<Func, "export">>;
  memory?: boolean;
  exportMemory?: string;
}

/**
 * abiModule is a minimal ABI v2 module: input buffer at 1024, output at 0, every call OK, no
 * columns, an empty roll-up declaration, no state; memory starts zeroed, so decisions read "keep, unset, score 0".
 */
export function abiModule(o: AbiOptions = {}): Uint8Array {
  const ret = (n: number) => ({ params: [] as VT[], results: ["i32"] as VT[], body: op.i32(n) });
  const two = (n: number) => ({ params: ["i32", "i32"] as VT[], results: ["i32"] as VT[], body: op.i32(n) });
  const defaults: Record<string, Omit<Func, "export">> = {
    nrdot_abi_version: ret(o.version ?? 2),
    nrdot_buffer: { params: ["i32"], results: ["i32"], body: op.i32(1024) },
    nrdot_output_ptr: ret(0),
    nrdot_configure: two(0),
    nrdot_columns: ret(0),
    nrdot_rollup: ret(0),
    nrdot_process: two(0),
    nrdot_snapshot: ret(0),
    nrdot_restore: two(0),
    nrdot_error: ret(0),
  };
  const funcs = Object.entries({ ...defaults, ...o.funcs })
    .filter(([n]) => !(o.omit ?? []).includes(n))
    .map(([n, f]) => ({ export: n, ...f }));
  return assemble({ imports: o.imports ?? [], funcs, memory: o.memory, exportMemory: o.exportMemory });
}
