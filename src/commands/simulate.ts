// nrdot simulate: a profile's (or config's) processing over a recording, in the TS host.
import { Command } from "commander";
import { formatMetricsJsonl } from "../host/index.ts";
import { UserError } from "../errors.ts";
import { readRecording, readTextFile, writeTextFile, type Io } from "../io.ts";
import { loadProfile } from "../profile/load.ts";
import { html } from "../simulate/html.ts";
import { formatReport, report, scrapeInterval } from "../simulate/report.ts";
import { simulate } from "../simulate/run.ts";
import { steps } from "../simulate/stages.ts";

export interface SimulateOptions {
  profile?: string;
  config?: string;
  input: string;
  output?: string;
  json?: boolean;
  html?: string;
  price?: string;
  interval?: string;
  pressure: string;
}

export async function runSimulate(opts: SimulateOptions, io: Io): Promise<void> {
  if (opts.profile && opts.config) throw new UserError("--profile and --config: give one of them", "SIMULATE_ARGS");
  const price = opts.price !== undefined ? Number(opts.price) : opts.config ? 0.3 : loadProfile(opts.profile ?? "balanced").profile.price_per_million_points;
  if (!Number.isFinite(price) || price < 0) throw new UserError(`--price ${opts.price}: expected a number ≥ 0`, "SIMULATE_ARGS");
  if (opts.config) readTextFile(opts.config, "collector config", "CONFIG_NOT_FOUND");
  const recording = readRecording(opts.input, (s) => io.stderr.write(s));
  const sim = await simulate(steps(opts, io.env), recording, Number(opts.pressure));
  const interval = opts.interval !== undefined ? Number(opts.interval) : scrapeInterval(recording);
  if (!(interval > 0)) throw new UserError(`--interval ${opts.interval}: expected a number of seconds > 0`, "SIMULATE_ARGS");
  const r = report(recording, sim.output, sim.critical, price, interval);
  if (opts.output) writeTextFile(opts.output, formatMetricsJsonl(sim.output), "--output");
  if (opts.html) writeTextFile(opts.html, html(r, `nrdot simulate: ${opts.config ?? opts.profile ?? "balanced"} on ${opts.input}`), "--html");
  io.stdout.write(opts.json ? JSON.stringify(r, null, 2) + "\n" : formatReport(r));
}

export function simulateCommand(io: Io): Command {
  return new Command("simulate")
    .description("run a profile's processor chain over recorded OTLP/JSON lines in the TypeScript host, and report")
    .option("-p, --profile <name|file>", "a built-in profile or a profile file (default: balanced)")
    .option("-c, --config <file>", "a collector config instead of a profile")
    .requiredOption("-i, --input <file>", "recorded OTLP/JSON lines (the file exporter's format)")
    .option("-o, --output <file>", "write the optimized stream in the same format")
    .option("--json", "print the report as JSON")
    .option("--html <file>", "write a before/after page")
    .option("--price <usd>", "price per million data points (default: the profile's)")
    .option("--interval <seconds>", "seconds between recorded scrapes, for the monthly cost (default: the recording's)")
    .option("--pressure <0..1>", "memory pressure the optimizer sees", "0")
    .action((opts: SimulateOptions) => runSimulate(opts, io));
}
