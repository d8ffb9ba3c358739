// nrdot replay: the same processing as simulate, through the real built collector.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { parse } from "yaml";
import { UserError } from "../errors.ts";
import { agentConfig } from "../generate/agent.ts";
import { formatMetricsJsonl, parseMetricsJsonl, type MetricsData } from "../host/index.ts";
import { readRecording, readTextFile, writeTextFile, type Io } from "../io.ts";
import { loadProfile } from "../profile/load.ts";
import { startCollector } from "../collector.ts";
import { waitQuiet, waitReady } from "../replay/collector.ts";
import { replayConfig } from "../replay/config.ts";
import { alignToInput } from "../replay/intervals.ts";
import { rebaseOffset, shift } from "../replay/rebase.ts";
import { formatReport, report, scrapeInterval, type Report } from "../simulate/report.ts";

export interface ReplayOptions {
  profile?: string;
  config?: string;
  input: string;
  output: string;
  collector: string;
  json?: boolean;
  timeout: string;
}

export async function runReplay(opts: ReplayOptions, env: NodeJS.ProcessEnv, warn: (s: string) => void): Promise<{ report: Report; output: MetricsData[] }> {
  if (opts.profile && opts.config) throw new UserError("--profile and --config: give one of them", "REPLAY_ARGS");
  const recording = readRecording(opts.input, warn);
  const profile = opts.config ? undefined : loadProfile(opts.profile ?? "balanced").profile;
  const cfg = opts.config ? parse(readTextFile(opts.config, "collector config", "CONFIG_NOT_FOUND")) : agentConfig(profile!, "file");
  const dir = mkdtempSync(join(tmpdir(), "nrdot-replay-"));
  const timeoutMs = Number(opts.timeout) * 1000;
  try {
    const output = resolve(opts.output);
    writeTextFile(output, "", "--output");
    const file = join(dir, "replay.json");
    // The receiver reads a file that is written only once the collector runs (rebase.ts).
    const input = join(dir, "recording.jsonl");
    writeFileSync(file, JSON.stringify(replayConfig(cfg, input, output, join(dir, "state"))));
    const run = startCollector(opts.collector, file, env);
    let offset: bigint;
    try {
      await waitReady(run, timeoutMs);
      offset = rebaseOffset(recording, BigInt(Date.now()) * 1_000_000n);
      writeFileSync(join(dir, "recording.tmp"), formatMetricsJsonl(shift(recording, offset)));
      renameSync(join(dir, "recording.tmp"), input);
      await waitQuiet(output, run, 2000, timeoutMs);
    } finally {
      await run.stop();
    }
    // The collector's output, at the recording's times again.
    const exported = shift(parseMetricsJsonl(readFileSync(output, "utf8"), output), -offset);
    writeFileSync(output, formatMetricsJsonl(exported));
    const aligned = alignToInput(recording, exported);
    // Which processes were critical is known inside the collector only; simulate reports it.
    return { report: report(recording, aligned, undefined, profile?.price_per_million_points ?? 0.3, scrapeInterval(recording)), output: aligned };
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
    .option("--collector <path>", "the built collector", resolve(io.cwd ?? ".", "bin/nrdot-collector"))
    .option("--json", "print the report as JSON")
    .option("--timeout <seconds>", "give up after this long", "120")
    .action(async (opts: ReplayOptions) => {
      const { report: r } = await runReplay(opts, io.env, (s) => io.stderr.write(s));
      io.stdout.write(opts.json ? JSON.stringify(r, null, 2) + "\n" : formatReport(r));
    });
}
