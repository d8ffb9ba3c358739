// Loading a profile: a built-in name or a file; `extends` merged (objects deep, lists replaced);
// unknown keys and bad values are errors naming the file, the YAML path and the line.
import { dirname, join, resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { isMap, LineCounter, parseDocument, type Document } from "yaml";
import { closest, UserError, where } from "../errors.ts";
import { readTextFile } from "../io.ts";
import { BUILTIN_PROFILES, profileSchema, type Profile } from "./schema.ts";

export const profilesDir = resolve(import.meta.dirname, "../../profiles");

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(profileSchema);

interface Source { file: string; doc: Document; lines: LineCounter }

function read(file: string): Source {
  const text = readTextFile(file, "profile file", "PROFILE_NOT_FOUND", `use one of ${BUILTIN_PROFILES.join(", ")} or the path of a profile YAML file`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UserError(`${where(file, undefined, e.linePos?.[0].line)}: ${e.message.split("\n")[0]}`, "PROFILE_YAML", "fix the YAML syntax");
  }
  if (doc.contents !== null && !isMap(doc.contents)) throw new UserError(`${file}: a profile is a YAML mapping of keys`, "PROFILE_SHAPE");
  return { file, doc, lines };
}

/** lineOf finds the line of a YAML path in a source, for error messages. */
function lineOf(src: Source, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = src.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return src.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function resolveFile(nameOrFile: string, from?: string): string {
  if ((BUILTIN_PROFILES as readonly string[]).includes(nameOrFile)) return join(profilesDir, `${nameOrFile}.yaml`);
  return from ? resolve(dirname(from), nameOrFile) : resolve(nameOrFile);
}

function merge(base: unknown, over: unknown): unknown {
  if (typeof base === "object" && base !== null && !Array.isArray(base) && typeof over === "object" && over !== null && !Array.isArray(over)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
    return out;
  }
  return over === undefined ? base : over;
}

/** loadProfile returns the complete profile for a built-in name or a file path. */
export function loadProfile(nameOrFile: string, seen: string[] = []): { profile: Profile; file: string } {
  const file = resolveFile(nameOrFile, seen.at(-1));
  if (seen.includes(file)) throw new UserError(`${file}: extends itself (${[...seen, file].join(" -> ")})`, "PROFILE_CYCLE");
  const src = read(file);
  const own = (src.doc.toJS() ?? {}) as Record<string, unknown>;
  let merged: unknown = own;
  if (typeof own.extends === "string") {
    merged = merge(loadProfile(own.extends, [...seen, file]).profile, own);
  }
  delete (merged as Record<string, unknown>).extends;
  if (!validate(merged)) throw schemaError(src, validate.errors ?? []);
  return { profile: merged as Profile, file };
}

function schemaError(src: Source, errors: ErrorObject[]): UserError {
  const e = errors.find((x) => x.keyword === "additionalProperties") ?? errors[0];
  const path = e.instancePath.split("/").slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (e.keyword === "additionalProperties") {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys(schemaAt(path) ?? {});
    const near = closest(key, known);
    const full = [...path, key];
    return new UserError(`${where(src.file, full.join("."), lineOf(src, full))}: unknown key \`${key}\``, "PROFILE_UNKNOWN_KEY",
      near ? `did you mean \`${near}\`?` : `known keys: ${known.join(", ")}`);
  }
  const name = path.join(".") || "(profile)";
  return new UserError(`${where(src.file, name, lineOf(src, path))}: ${e.message}`, "PROFILE_INVALID",
    `see profiles/balanced.yaml for a complete profile`);
}

/** schemaAt returns the properties of the schema object at a data path. */
function schemaAt(path: (string | number)[]): Record<string, unknown> | undefined {
  let s: any = profileSchema;
  for (const p of path) s = typeof p === "number" ? s.items : s.properties?.[p];
  return s?.properties;
}
