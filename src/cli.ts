// The nrdot CLI: commands wired into one program, one error handler. A command's module is
// imported only when that command runs: `nrdot --help` lists them from a listing written at build
// time (dist/commands.json, scripts/cli-listing.mjs), which keeps the CLI's start-up short.
import { Command, CommanderError, Help } from "commander";
import { UserError } from "./errors.ts";
import type { Io } from "./io.ts";

/** COMMANDS: every command's name and how to load it; add a command here. */
export const COMMANDS: { name: string; load: (io: Io) => Promise<Command> }[] = [
  { name: "generate", load: async (io) => (await import("./commands/generate.ts")).generateCommand(io) },
  { name: "validate", load: async (io) => (await import("./commands/validate.ts")).validateCommand(io) },
  { name: "simulate", load: async (io) => (await import("./commands/simulate.ts")).simulateCommand(io) },
  { name: "replay", load: async (io) => (await import("./commands/replay.ts")).replayCommand(io) },
  { name: "record", load: async (io) => (await import("./commands/record.ts")).recordCommand(io) },
  { name: "schemas", load: async (io) => (await import("./commands/schemas.ts")).schemasCommand(io) },
  { name: "status", load: async (io) => (await import("./commands/status.ts")).statusCommand(io) },
  { name: "experiment", load: async (io) => (await import("./commands/experiment.ts")).experimentCommand(io) },
];

/** Listing is what `nrdot --help` shows of each command without loading it. */
export type Listing = { name: string; term: string; description: string }[];

/** listing loads every command and returns its help line. */
export async function listing(io: Io): Promise<Listing> {
  const help = new Help();
  return Promise.all(COMMANDS.map(async (c) => {
    const cmd = await c.load(io);
    return { name: c.name, term: help.subcommandTerm(cmd), description: cmd.description() };
  }));
}

/** requested is the command argv runs (`help X` and `X --help` name X); undefined for none. */
function requested(argv: string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

/**
 * program is the CLI for argv: the requested command loaded, the others loaded too unless a
 * listing stands in for them.
 */
export async function program(io: Io, argv: string[] = [], list?: Listing): Promise<Command> {
  const out = { writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s) };
  const p = new Command("nrdot")
    .description("NRDOT: low-cost host process metrics for the OpenTelemetry Collector")
    .option("--verbose", "show stack traces")
    .exitOverride()
    .configureOutput(out);
  const want = requested(argv);
  const listed = new Map(list?.map((l) => [l.name, l]));
  const terms = new Map<Command, string>();
  for (const c of COMMANDS) {
    const l = listed.get(c.name);
    if (l && c.name !== want) {
      const stub = new Command(c.name).description(l.description);
      terms.set(stub, l.term);
      p.addCommand(stub);
    } else p.addCommand((await c.load(io)).exitOverride().configureOutput(out));
  }
  const help = new Help();
  p.configureHelp({ subcommandTerm: (c) => terms.get(c) ?? help.subcommandTerm(c) });
  return p;
}

/** main runs the CLI on argv (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io, list?: Listing): Promise<number> {
  const p = await program(io, argv, list);
  try {
    await p.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UserError) {
      io.stderr.write(`nrdot: ${e.message}\n`);
      if (e.suggestion) io.stderr.write(`  hint: ${e.suggestion}\n`);
      if (p.opts().verbose) io.stderr.write(`${e.stack}\n`);
      return 1;
    }
    // A verdict, not an error (experiment); its module is loaded when it can have thrown one.
    if (requested(argv) === "experiment") {
      const { ExitStatus } = await import("./commands/experiment.ts");
      if (e instanceof ExitStatus) return e.code;
    }
    io.stderr.write(`nrdot: internal error: ${(e as Error).message}\n`);
    if (p.opts().verbose || argv.includes("--verbose")) io.stderr.write(`${(e as Error).stack}\n`);
    return 70;
  }
}
