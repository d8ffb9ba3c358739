// The module's roll-up declaration (nrdot_rollup): "group <key>", "strip <prefix>",
// "set <key> string|bool|int <value>", "count <metric name>". The host knows nothing about
// processes: the module says how rolled-up rows are grouped, which attributes of the first one
// are stripped, which are set, and which metric counts them.
import type { AnyValue } from "./otlp.ts";

/** SetAttribute is one "set" line: a resource attribute written after stripping. */
export interface SetAttribute {
  key: string;
  value: AnyValue; // stringValue, boolValue or intValue (a decimal string)
}

/** RollupDeclaration is what a module's rolled-up rows become. */
export interface RollupDeclaration {
  /** one roll-up resource per distinct tuple of these attributes' values (absent = "") */
  group: string[];
  /** attribute key prefixes removed from the first rolled-up resource's attributes */
  strip: string[];
  /** attributes written after stripping, in order */
  set: SetAttribute[];
  /** the int gauge counting the resources rolled up; undefined for none */
  count?: string;
}

const INT64 = /^[+-]?\d+$/;
const FIELD_NAMES: Record<string, string> = { group: "resource attribute key", strip: "key prefix", count: "metric name" };

/**
 * parseRollup reads the declaration nrdot_rollup returns. An unknown or malformed line is an
 * error naming the line: the host refuses such a module.
 */
export function parseRollup(text: string): RollupDeclaration {
  const d: RollupDeclaration = { group: [], strip: [], set: [] };
  text.split("\n").forEach((line, i) => {
    if (line === "") return;
    const problem = parseLine(d, line);
    if (problem) throw new Error(`roll-up declaration line ${i + 1}: ${JSON.stringify(line)}: ${problem}`);
  });
  return d;
}

function parseLine(d: RollupDeclaration, line: string): string | undefined {
  const at = line.indexOf(" ");
  const verb = at < 0 ? line : line.slice(0, at);
  const rest = at < 0 ? "" : line.slice(at + 1);
  switch (verb) {
    case "group":
    case "strip":
    case "count":
      if (rest === "" || rest.includes(" ")) return `want \`${verb} <${FIELD_NAMES[verb]}>\` with one non-empty field`;
      if (verb === "group") d.group.push(rest);
      else if (verb === "strip") d.strip.push(rest);
      else if (d.count !== undefined) return `a second count line (the first named ${JSON.stringify(d.count)})`;
      else d.count = rest;
      return undefined;
    case "set":
      return parseSet(d, rest);
  }
  return "not one of `group`, `strip`, `set`, `count`";
}

function parseSet(d: RollupDeclaration, rest: string): string | undefined {
  const k = rest.indexOf(" ");
  const t = k < 0 ? -1 : rest.indexOf(" ", k + 1);
  if (k <= 0 || t < 0) return "want `set <key> string|bool|int <value>`";
  const key = rest.slice(0, k);
  const type = rest.slice(k + 1, t);
  const value = rest.slice(t + 1);
  switch (type) {
    case "string":
      d.set.push({ key, value: { stringValue: value } });
      return undefined;
    case "bool":
      if (value !== "true" && value !== "false") return `a bool is \`true\` or \`false\`, not ${JSON.stringify(value)}`;
      d.set.push({ key, value: { boolValue: value === "true" } });
      return undefined;
    case "int": {
      const n = INT64.test(value) ? BigInt(value) : undefined;
      if (n === undefined || n !== BigInt.asIntN(64, n)) return `${JSON.stringify(value)} is not a 64-bit decimal int`;
      d.set.push({ key, value: { intValue: n.toString() } });
      return undefined;
    }
  }
  return `unknown type ${JSON.stringify(type)} (want string, bool or int)`;
}
