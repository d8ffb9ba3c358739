// The executable names of classify's built-in catalog by tier, for the OTTL pipeline of the
// benchmark: the catalog's globs as regexps, as OTTL's IsMatch takes them.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { globToRegexp } from "../src/generate/agent.ts";

const source = readFileSync(join(resolve(import.meta.dirname, ".."), "processors/lib/catalog.ts"), "utf8");
const entries = [...source.matchAll(/"exe (\S+) (critical|important|standard|sampled)"/g)];

// The generator's anchored regexp, with its backslashes doubled for an OTTL string literal.
const ottlRegex = (glob: string) => globToRegexp(glob).replace(/\\/g, "\\\\");

export const CATALOG_EXECUTABLES: Record<string, string[]> = { critical: [], important: [], standard: [], sampled: [] };
for (const [, glob, tier] of entries) CATALOG_EXECUTABLES[tier].push(ottlRegex(glob));
