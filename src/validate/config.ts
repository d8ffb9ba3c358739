// A collector config read for validation: the YAML with line numbers, and `${env:X:-d}`
// references resolved the way the collector resolves them.
import { LineCounter, parseDocument, type Document } from "yaml";
import { UserError, where } from "../errors.ts";
import { readTextFile } from "../io.ts";

export interface ConfigFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  data: any;
}

export function readConfig(file: string): ConfigFile {
  const text = readTextFile(file, "config file", "CONFIG_NOT_FOUND", "generate one with `nrdot generate -o DIR`");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new UserError(`${where(file, undefined, doc.errors[0].linePos?.[0].line)}: ${doc.errors[0].message.split("\n")[0]}`, "CONFIG_YAML");
  }
  return { file, doc, lines, data: doc.toJS() ?? {} };
}

/** lineOf is the line of a YAML path (or of its nearest existing parent). */
export function lineOf(c: ConfigFile, path: string[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = c.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return c.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Problem: one finding, with where it is and what to do. */
export interface Problem {
  path: string[];
  message: string;
  hint?: string;
}

export function format(c: ConfigFile, p: Problem): string {
  return `${where(c.file, p.path.join("::"), lineOf(c, p.path))}: ${p.message}${p.hint ? `\n  hint: ${p.hint}` : ""}`;
}

/** expandEnv resolves ${env:NAME} and ${env:NAME:-default} (and ${NAME}) with env. */
export function expandEnv(s: string, env: NodeJS.ProcessEnv): string {
  return s.replace(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, dflt?: string) => env[name] ?? dflt ?? "");
}
