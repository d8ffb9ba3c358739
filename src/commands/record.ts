// nrdot record: this host's process metrics, unoptimized, as OTLP/JSON lines for simulate and replay.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { durationSeconds } from "../duration.ts";
import { hostMetrics } from "../generate/agent.ts";
import { loadProfile } from "../profile/load.ts";
import { UserError } from "../errors.ts";
import { checkOutputFile, type Io } from "../io.ts";
import { startCollector } from "../collector.ts";

/** seconds parses a duration flag ("90s", "5m", "1h"). */
function seconds(d: string, flag: string): number {
  const s = durationSeconds(d);
  if (s === undefined) throw new UserError(`${flag} ${d}: expected a duration like 30s, 5m or 1h`, "RECORD_ARGS");
  return s;
}

export interface RecordOptions { duration: string; interval: string; out: string; collector: string; profile?: string }

export async function runRecord(opts: RecordOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const duration = seconds(opts.duration, "--duration");
  seconds(opts.interval, "--interval");
  // The collector would fail only once started; a path it cannot write is refused here.
  checkOutputFile(opts.out, "-o");
  // The metrics a profile turns on must be in the recording, or simulate and replay of that
  // profile would run without them and understate its cost.
  const metrics = opts.profile ? loadProfile(opts.profile).profile : {};
  const dir = mkdtempSync(join(tmpdir(), "nrdot-record-"));
  try {
    const cfg = join(dir, "record.json");
    writeFileSync(cfg, JSON.stringify({
      receivers: { host_metrics: hostMetrics(opts.interval, [], metrics) },
      exporters: { file: { path: resolve(opts.out) } },
      service: { telemetry: { metrics: { level: "none" } }, pipelines: { metrics: { receivers: ["host_metrics"], exporters: ["file"] } } },
    }));
    const run = startCollector(opts.collector, cfg, env);
    await sleep(duration * 1000);
    run.assertAlive();
    await run.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function recordCommand(io: Io): Command {
  return new Command("record")
    .description("record this host's process metrics, unoptimized, with the collector")
    .option("--duration <d>", "how long to record (30s, 5m, 1h)", "5m")
    .option("--interval <d>", "scrape interval", "10s")
    .requiredOption("-o, --out <file>", "OTLP/JSON lines to write")
    .option("--profile <name|file>", "also record the process metrics this profile turns on (its metrics:)")
    .option("--collector <path>", "the built collector", resolve(io.cwd ?? ".", "bin/nrdot-collector"))
    .action(async (opts: RecordOptions) => {
      await runRecord(opts, io.env);
      io.stdout.write(`recorded ${opts.duration} of process metrics into ${opts.out}\n`);
    });
}
