// nrdot replay: the same processing as simulate, through the real built collector.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { parse } from "yaml";
import { UserError } from "../errors.ts";
import { agentConfig } from "../generate/agent.ts";
import { parseMetricsJsonl, type MetricsData } from "../host/index.ts";
import type { Io } from "../io.ts";
import { loadProfile } from "../profile/load.ts";
import { startCollector } from "../collector.ts";
import { waitQuiet } from "../replay/collector.ts";
import { replayConfig } from "../replay/config.ts";
import { alignToInput } from "../replay/intervals.ts";
import { CumulativeToDelta } from "../simulate/delta.ts";
import { formatReport, report, type Report } from "../simulate/report.ts";
import { readRecording } from "../simulate/run.ts";
import { stepsFromConfig } from "../simulate/stages.ts";

export interface ReplayOptions {
  profile?: string;
  config?: string;
  input: string;
  output: string;
  collector: string;
  json?: boolean;
  timeout: string;
}

export async function runReplay(opts: ReplayOptions, env: NodeJS.ProcessEnv): Promise<{ report: Report; output: MetricsData[] }> {
  if (opts.profile && opts.config) throw new UserError("--profile and --config: give one of them", "REPLAY_ARGS");
  const recording = readRecording(opts.input);
  const profile = opts.config ? undefined : loadProfile(opts.profile ?? "balanced").profile;
  const cfg = opts.config ? parse(readFileSync(opts.config, "utf8")) : agentConfig(profile!, "file");
  const dir = mkdtempSync(join(tmpdir(), "nrdot-replay-"));
  try {
    const output = resolve(opts.output);
    writeFileSync(output, "");
    const file = join(dir, "replay.json");
    writeFileSync(file, JSON.stringify(replayConfig(cfg, resolve(opts.input), output, join(dir, "state"))));
    const run = startCollector(opts.collector, file, env);
    try {
      await waitQuiet(output, run, 2000, Number(opts.timeout) * 1000);
    } finally {
      await run.stop();
    }
    // The input as the wasm stages saw it: after the config's cumulative_to_delta, if any.
    let input = recording;
    for (const s of stepsFromConfig(cfg, env, opts.config ?? "profile")) {
      if (s.kind === "wasm") break;
      const d = new CumulativeToDelta(new Set(s.metrics));
      input = input.map((b) => d.run(b));
    }
    const aligned = alignToInput(input, parseMetricsJsonl(readFileSync(output, "utf8"), output));
    // Which processes were critical is known inside the collector only; simulate reports it.
    return { report: report(input, aligned, undefined, profile?.price_per_million_points ?? 0.3, 10), output: aligned };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function replayCommand(io: Io): Command {
  return new Command("replay")
    .description("run a profile's pipeline through the real collector on a recording (scraper replaced by otlp_json_file, exporters by a file)")
    .option("-p, --profile <name|file>", "a built-in profile or a profile file (default: balanced)")
    .option("-c, --config <file>", "a collector config instead of a profile")
    .requiredOption("-i, --input <file>", "recorded OTLP/JSON lines")
    .requiredOption("-o, --output <file>", "where the collector writes the optimized stream")
    .option("--collector <path>", "the built collector", resolve("bin/nrdot-collector"))
    .option("--json", "print the report as JSON")
    .option("--timeout <seconds>", "give up after this long", "120")
    .action(async (opts: ReplayOptions) => {
      const { report: r } = await runReplay(opts, io.env);
      io.stdout.write(opts.json ? JSON.stringify(r, null, 2) + "\n" : formatReport(r));
    });
}
