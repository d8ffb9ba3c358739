// The signatures of a module's imports and exports, read from its binary. The JavaScript
// WebAssembly API lists imports and exports without their types, but the Go host (wazero) checks
// them, so this host reads them from the type, import, function and export sections itself.
// Call it only on bytes WebAssembly.compile accepted: it does not validate.
import type { Signature, ValType } from "./abi.ts";

export type ExternKind = "function" | "table" | "memory" | "global" | "tag";

/** Extern is one import or export; type is set for functions. */
export interface Extern {
  kind: ExternKind;
  type?: Signature;
}

export interface ModuleInterface {
  imports: (Extern & { module: string; name: string })[];
  exports: Map<string, Extern>;
}

const KINDS: readonly ExternKind[] = ["function", "table", "memory", "global", "tag"];
const VALTYPES: Readonly<Record<number, ValType>> = {
  0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref",
};

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.b.length) throw new Error(`unexpected end at byte ${this.pos}`);
    return this.b[this.pos++];
  }

  /** u32 reads an unsigned LEB128 number. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new Error(`LEB128 number too long at byte ${this.pos}`);
  }

  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  valtype(): ValType {
    const at = this.pos;
    const t = VALTYPES[this.byte()];
    if (t === undefined) throw new Error(`unsupported value type 0x${this.b[at].toString(16)} at byte ${at}`);
    return t;
  }

  limits(): void {
    const flags = this.u32();
    this.u32();
    if (flags & 1) this.u32();
  }
}

/** readInterface returns the imports and exports of a compiled module's bytes, with function types. */
export function readInterface(bytes: Uint8Array): ModuleInterface {
  const r = new Reader(bytes);
  r.pos = 8; // magic and version
  const types: Signature[] = [];
  const funcTypes: number[] = []; // the function index space: imported functions first
  const imports: ModuleInterface["imports"] = [];
  const exports = new Map<string, Extern>();
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        if (r.byte() !== 0x60) throw new Error(`unsupported type form at byte ${r.pos - 1}`);
        const params = Array.from({ length: r.u32() }, () => r.valtype());
        const results = Array.from({ length: r.u32() }, () => r.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = KINDS[r.byte()];
        if (kind === "function") {
          const t = r.u32();
          funcTypes.push(t);
          imports.push({ module, name, kind, type: types[t] });
          continue;
        }
        if (kind === "table") {
          r.byte();
          r.limits();
        } else if (kind === "memory") r.limits();
        else if (kind === "global") {
          r.valtype();
          r.byte();
        } else if (kind === "tag") {
          r.byte();
          r.u32();
        } else throw new Error(`unknown import kind at byte ${r.pos - 1}`);
        imports.push({ module, name, kind });
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = KINDS[r.byte()];
        const index = r.u32();
        if (kind === undefined) throw new Error(`unknown export kind of "${name}"`);
        exports.set(name, kind === "function" ? { kind, type: types[funcTypes[index]] } : { kind });
      }
    }
    r.pos = end;
  }
  return { imports, exports };
}

/** formatSignature writes a signature as "(i32, i32) -> i32". */
export function formatSignature(s: Signature | undefined): string {
  if (s === undefined) return "(unknown type)";
  const results = s.results.length === 1 ? s.results[0] : `(${s.results.join(", ")})`;
  return `(${s.params.join(", ")}) -> ${results}`;
}

/** sameSignature compares two signatures type by type. */
export function sameSignature(a: Signature | undefined, b: Signature): boolean {
  return a !== undefined && a.params.join() === b.params.join() && a.results.join() === b.results.join();
}
