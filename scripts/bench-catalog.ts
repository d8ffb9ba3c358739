// The executable names of classify's built-in catalog by tier, for the OTTL pipeline of the
// benchmark (regex alternations must name literal executables; globs are turned into regex).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const source = readFileSync(join(resolve(import.meta.dirname, ".."), "processors/classify/catalog.ts"), "utf8");
const entries = [...source.matchAll(/"exe (\S+) (critical|important|standard|sampled)"/g)];

function globToRegex(g: string): string {
  return g.replace(/[.+^${}()|[\]\\]/g, "\\\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
}

export const CATALOG_EXECUTABLES: Record<string, string[]> = { critical: [], important: [], standard: [], sampled: [] };
for (const [, glob, tier] of entries) CATALOG_EXECUTABLES[tier].push(globToRegex(glob));
