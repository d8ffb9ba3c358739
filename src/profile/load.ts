// Loading a profile: a built-in name or a file; `extends` merged (objects deep, lists replaced);
// unknown keys and bad values are errors naming the file, the YAML path and the line.
import { dirname, join, resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { isMap, LineCounter, parseDocument } from "yaml";
import { UserError, where } from "../errors.ts";
import { dataPath, lineOf, unknownKeyError, type Source } from "../yaml-source.ts";
import { readTextFile } from "../io.ts";
import { BUILTIN_PROFILES, profileSchema, type Profile } from "./schema.ts";

export const profilesDir = resolve(import.meta.dirname, "../../profiles");

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(profileSchema);

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
  if (e.keyword === "additionalProperties") return unknownKeyError(src, profileSchema, e, "PROFILE_UNKNOWN_KEY");
  const path = dataPath(e);
  const name = path.join(".") || "(profile)";
  return new UserError(`${where(src.file, name, lineOf(src, path))}: ${e.message}`, "PROFILE_INVALID",
    `see profiles/balanced.yaml for a complete profile`);
}

