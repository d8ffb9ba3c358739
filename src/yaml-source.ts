// A YAML file read for a schema check, and the parts of a schema error that profiles and
// experiment specs report the same way: the line of a key, the keys allowed where an unknown one
// stands, and a did-you-mean.
import type { ErrorObject } from "ajv";
import type { Document, LineCounter } from "yaml";
import { closest, UserError, where } from "./errors.ts";

export interface Source { file: string; doc: Document; lines: LineCounter }

/** lineOf finds the line of a YAML path in a source (or of its nearest ancestor), for messages. */
export function lineOf(src: Source, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = src.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return src.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** dataPath is an ajv error's instance path as YAML path segments. */
export function dataPath(e: ErrorObject): (string | number)[] {
  return e.instancePath.split("/").slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** schemaAt returns the properties of the schema object at a data path. */
export function schemaAt(schema: object, path: (string | number)[]): Record<string, unknown> | undefined {
  let s: any = schema;
  for (const p of path) s = typeof p === "number" ? s?.items : s?.properties?.[p];
  return s?.properties;
}

/** unknownKeyError reports an additionalProperties error with its line and a did-you-mean. */
export function unknownKeyError(src: Source, schema: object, e: ErrorObject, code: string): UserError {
  const path = dataPath(e);
  const key = String((e.params as { additionalProperty: string }).additionalProperty);
  const known = Object.keys(schemaAt(schema, path) ?? {});
  const near = closest(key, known);
  const full = [...path, key];
  return new UserError(`${where(src.file, full.join("."), lineOf(src, full))}: unknown key \`${key}\``, code,
    near ? `did you mean \`${near}\`?` : `known keys: ${known.join(", ")}`);
}
