// nrdot schemas: the JSON schemas of profiles and of every component the generator emits, for
// editors and other tools. schemas/ in the repository is this command's output.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import type { Io } from "../io.ts";
import { profileSchema } from "../profile/schema.ts";
import { componentSchemas } from "../validate/schemas.ts";

export function writeSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, unknown][] = [["profile.schema.json", profileSchema], ...Object.entries(componentSchemas).map(([t, s]): [string, unknown] => [`component.${t}.schema.json`, s])];
  return files.map(([name, schema]) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(schema, null, 2) + "\n");
    return f;
  });
}

export function schemasCommand(io: Io): Command {
  return new Command("schemas")
    .description("write the JSON schemas of profiles and of the generated components")
    .requiredOption("-o, --out <dir>", "output folder")
    .action((opts: { out: string }) => {
      for (const f of writeSchemas(opts.out)) io.stdout.write(`wrote ${f}\n`);
    });
}
