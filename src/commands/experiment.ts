// nrdot experiment: control vs treatment with statistics and a verdict, offline over recordings
// (run) or live on this host with promotion or rollback (live). Exit codes: 0 pass, 3 fail,
// 4 inconclusive, 1 user error (docs/experiments/framework.md).
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { BACKENDS, type Backend } from "../generate/agent.ts";
import type { Io } from "../io.ts";
import { EXIT, type Result } from "../experiment/analyze.ts";
import { analyzeStreams, runLive } from "../experiment/live.ts";
import { formatResult, html } from "../experiment/report.ts";
import { runExperiment } from "../experiment/run.ts";
import { loadSpec } from "../experiment/spec.ts";

/** ExitStatus ends a command with an exit code that is not an error (a verdict). */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function finish(r: Result, io: Io, opts: { json?: boolean; html?: string }, title: string, extra: Record<string, unknown> = {}, message?: string): void {
  if (opts.html) writeFileSync(opts.html, html(r, title));
  if (opts.json) io.stdout.write(JSON.stringify({ ...r, ...extra }, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? null : v > 0 ? "+inf" : "-inf") : v), 2) + "\n");
  else io.stdout.write(formatResult(r) + (message ? `${message}\n` : ""));
  if (opts.json && message) io.stderr.write(`${message}\n`);
  if (EXIT[r.verdict] !== 0) throw new ExitStatus(EXIT[r.verdict]);
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function experimentCommand(io: Io): Command {
  const cmd = new Command("experiment").description("compare a control and a treatment profile with statistics and a verdict (exit 0 pass, 3 fail, 4 inconclusive)");
  const out = (c: Command) => c.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  cmd.addCommand(out(new Command("run")
    .description("both arms over the same recorded scrapes (one recording per host), in the TypeScript host")
    .argument("<spec>", "experiment spec (YAML)")
    .requiredOption("-i, --input <file>", "a recording (OTLP/JSON lines, `nrdot record`); repeat for more hosts", collect, [])
    .option("--json", "print the result as one JSON object")
    .option("--html <file>", "write a report that plots both arms over time")
    .action(async (specFile: string, opts: { input: string[]; json?: boolean; html?: string }) => {
      const spec = loadSpec(specFile);
      const r = await runExperiment(spec, opts.input, io.env, io.cwd ?? ".", (s) => io.stderr.write(s));
      finish(r, io, opts, `nrdot experiment run ${specFile}`);
    })));
  cmd.addCommand(out(new Command("live")
    .description("both arms on this host's scrapes in one collector; on pass write the treatment's config to --promote-to, else leave it")
    .argument("<spec>", "experiment spec (YAML)")
    .option("--duration <d>", "how long to run (default: the spec's duration, or intervals × interval)")
    .option("--interval <d>", "scrape interval (default: the spec's, or the control's collection_interval)")
    .requiredOption("--promote-to <file>", "the config to replace, atomically, when the treatment passes")
    .addOption(new Option("--backend <backend>", "exporter of the promoted config (default: newrelic when NEW_RELIC_LICENSE_KEY is set, else file)").choices(BACKENDS))
    .option("--keep <dir>", "keep the collector's config and the three streams in this folder")
    .option("--collector <path>", "the built collector", resolve(io.cwd ?? ".", "bin/nrdot-collector"))
    .option("--json", "print the result as one JSON object")
    .option("--html <file>", "write a report that plots both arms over time")
    .action(async (specFile: string, opts: { duration?: string; interval?: string; promoteTo: string; backend?: Backend; keep?: string; collector: string; json?: boolean; html?: string }) => {
      const spec = loadSpec(specFile);
      const l = await runLive(spec, opts, io.env, io.cwd);
      finish(l.result, io, opts, `nrdot experiment live ${specFile}`, { promoted: l.promoted, promote_to: opts.promoteTo }, l.message);
    })));
  cmd.addCommand(out(new Command("analyze")
    .description("the gate between rollout steps: analyze the arms' exported outputs against an unoptimized reference of the same scrapes")
    .argument("<spec>", "experiment spec (YAML)")
    .requiredOption("--reference <file>", "the unoptimized scrapes (OTLP/JSON lines, one batch per scrape)")
    .requiredOption("--control <file>", "the control's output of the same scrapes")
    .requiredOption("--treatment <file>", "the treatment's output of the same scrapes")
    .option("--json", "print the result as one JSON object")
    .option("--html <file>", "write a report that plots both arms over time")
    .action(async (specFile: string, opts: { reference: string; control: string; treatment: string; json?: boolean; html?: string }) => {
      const spec = loadSpec(specFile);
      const r = await analyzeStreams(spec, { reference: opts.reference, control: opts.control, treatment: opts.treatment }, io.env, io.cwd);
      finish(r, io, opts, `nrdot experiment analyze ${specFile}`);
    })));
  return cmd;
}
