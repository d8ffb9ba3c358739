// nrdot validate: our checks first (the ones the collector does not do), then the collector's.
import { Command } from "commander";
import { resolve } from "node:path";
import { UserError } from "../errors.ts";
import type { Io } from "../io.ts";
import { graph, modules, schemas } from "../validate/checks.ts";
import { collectorValidate } from "../validate/collector.ts";
import { format, readConfig } from "../validate/config.ts";

export interface ValidateOptions { collector: string; collectorCheck: boolean }

/** validate returns the problems found, formatted; an empty list means the configs are good. */
export async function validate(files: string[], opts: ValidateOptions, env: NodeJS.ProcessEnv): Promise<string[]> {
  const problems: string[] = [];
  for (const f of files) {
    const c = readConfig(f);
    for (const p of [...schemas(c), ...graph(c), ...(await modules(c, env))]) problems.push(format(c, p));
  }
  if (problems.length === 0 && opts.collectorCheck) {
    const err = collectorValidate(opts.collector, files, env);
    if (err) problems.push(`${files.join(", ")}: the collector refused the config:\n  ${err.replace(/\n/g, "\n  ")}`);
  }
  return problems;
}

export function validateCommand(io: Io): Command {
  return new Command("validate")
    .description("check collector configs: schemas, pipeline graph, WASM modules, then the collector's own validate")
    .argument("<config...>", "collector config files")
    .option("--collector <path>", "the built collector", resolve(io.cwd ?? ".", "bin/nrdot-collector"))
    .option("--no-collector-check", "skip the collector's own validate")
    .action(async (files: string[], opts: ValidateOptions) => {
      const problems = await validate(files, opts, io.env);
      if (problems.length > 0) {
        throw new UserError(`${problems.length} problem(s):\n${problems.join("\n")}`, "CONFIG_INVALID");
      }
      io.stdout.write(`ok: ${files.join(", ")}\n`);
    });
}
