// The nrdot CLI: commands wired into one program, one error handler.
import { Command, CommanderError } from "commander";
import { UserError } from "./errors.ts";
import type { Io } from "./io.ts";
import { generateCommand } from "./commands/generate.ts";
import { validateCommand } from "./commands/validate.ts";
import { simulateCommand } from "./commands/simulate.ts";
import { replayCommand } from "./commands/replay.ts";
import { recordCommand } from "./commands/record.ts";
import { schemasCommand } from "./commands/schemas.ts";
import { experimentCommand, ExitStatus } from "./commands/experiment.ts";
import { statusCommand } from "./commands/status.ts";

export function program(io: Io): Command {
  const p = new Command("nrdot")
    .description("NRDOT: low-cost host process metrics for the OpenTelemetry Collector")
    .option("--verbose", "show stack traces")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const c of [generateCommand(io), validateCommand(io), simulateCommand(io), replayCommand(io), recordCommand(io), schemasCommand(io), statusCommand(io), experimentCommand(io)]) p.addCommand(c.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) }));
  return p;
}

/** main runs the CLI on argv (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const p = program(io);
  try {
    await p.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof ExitStatus) return e.code;
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UserError) {
      io.stderr.write(`nrdot: ${e.message}\n`);
      if (e.suggestion) io.stderr.write(`  hint: ${e.suggestion}\n`);
      if (p.opts().verbose) io.stderr.write(`${e.stack}\n`);
      return 1;
    }
    io.stderr.write(`nrdot: internal error: ${(e as Error).message}\n`);
    if (p.opts().verbose || argv.includes("--verbose")) io.stderr.write(`${(e as Error).stack}\n`);
    return 70;
  }
}
