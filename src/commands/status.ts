// nrdot status: a running collector's own telemetry (Prometheus text on :8888) at a glance.
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { durationSeconds } from "../duration.ts";
import { UserError } from "../errors.ts";
import type { Io } from "../io.ts";
import { parseText, type Scrape } from "../status/prom.ts";
import { format, summarize, type Status } from "../status/summary.ts";

/** The default agent's telemetry (configs/*\/agent.yaml: service::telemetry::metrics::readers). */
export const DEFAULT_ENDPOINT = "http://localhost:8888/metrics";

export interface StatusOptions {
  endpoint: string;
  watch?: boolean;
  json?: boolean;
  price: string;
  interval?: string;
  processor: string;
  count?: string;
  timeout: string;
}

/** endpointUrl accepts host:port, a URL without a path (…/metrics is added) or a full URL. */
export function endpointUrl(e: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(e) ? e : `http://${e}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new UserError(`--endpoint ${e}: not a URL or host:port`, "STATUS_ARGS", `e.g. --endpoint ${DEFAULT_ENDPOINT}`);
  }
  if (u.pathname === "/" || u.pathname === "") u.pathname = "/metrics";
  return u.toString();
}

const HINT = "is the collector running? `make run` starts the default agent, whose telemetry is on localhost:8888; " +
  "for another collector pass --endpoint with the host and port of its service::telemetry::metrics::readers prometheus reader";

/** read fetches and parses one scrape; an unreachable or wrong endpoint is a UserError naming it. */
export async function read(url: string, timeoutMs: number): Promise<Scrape> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s`
      : err.cause?.code === "ECONNREFUSED" ? "connection refused (nothing listens there)"
      : err.cause?.code === "ENOTFOUND" ? "unknown host"
      : err.cause?.message ?? err.message;
    throw new UserError(`cannot read the collector's telemetry at ${url}: ${why}`, "STATUS_UNREACHABLE", HINT);
  }
  const body = await res.text();
  if (!res.ok) throw new UserError(`${url}: HTTP ${res.status} ${res.statusText}`, "STATUS_HTTP", "the endpoint is the collector's telemetry (…:8888/metrics), not another of its ports");
  try {
    return parseText(body);
  } catch (e) {
    throw new UserError(`${url}: not Prometheus text telemetry (${(e as Error).message})`, "STATUS_FORMAT", "point --endpoint at the collector's telemetry (…:8888/metrics)");
  }
}

function seconds(d: string, flag: string): number {
  const s = durationSeconds(d);
  if (s === undefined || s <= 0) throw new UserError(`${flag} ${d}: expected a duration like 5s or 1m`, "STATUS_ARGS");
  return s;
}

/** runStatus prints the status once, or every --interval with --watch; returns the last status. */
export async function runStatus(opts: StatusOptions, io: Io): Promise<Status> {
  const url = endpointUrl(opts.endpoint);
  const price = Number(opts.price);
  if (!Number.isFinite(price) || price < 0) throw new UserError(`--price ${opts.price}: expected a number ≥ 0`, "STATUS_ARGS");
  const timeoutMs = seconds(opts.timeout, "--timeout") * 1000;
  const interval = opts.interval !== undefined ? seconds(opts.interval, "--interval") : opts.watch ? 10 : undefined;
  const count = opts.count !== undefined ? Number(opts.count) : opts.watch ? Infinity : interval ? 2 : 1;
  if (!(count >= 1)) throw new UserError(`--count ${opts.count}: expected a number ≥ 1`, "STATUS_ARGS");
  const o = { endpoint: url, processor: opts.processor, price };
  const tty = Boolean((io.stdout as { isTTY?: boolean }).isTTY);
  let prev: { scrape: Scrape; at: number } | undefined;
  let last: Status | undefined;
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(interval! * 1000);
    const at = Date.now();
    const scrape = await read(url, timeoutMs);
    const s = summarize(scrape, prev?.scrape, prev && (at - prev.at) / 1000, o);
    prev = { scrape, at };
    last = s;
    // Without --watch, an --interval's first read only starts the window.
    if (!opts.watch && interval !== undefined && i === 0 && count > 1) continue;
    if (opts.json) io.stdout.write(JSON.stringify(s) + "\n");
    else io.stdout.write((opts.watch && tty ? "\x1b[H\x1b[2J" : i > 0 ? "\n" : "") + format(s));
  }
  return last!;
}

export function statusCommand(io: Io): Command {
  return new Command("status")
    .description("a running collector's own telemetry at a glance: optimization ratio, cost, processes, breaker, queues, latency")
    .option("-e, --endpoint <url>", "its Prometheus telemetry (host:port or URL)", DEFAULT_ENDPOINT)
    .option("-w, --watch", "read again every --interval (default 10s) and show the rates between reads; Ctrl-C stops")
    .option("--json", "print the status as JSON (one object per read)")
    .option("--price <usd>", "price per million data points, for the monthly cost", "0.30")
    .option("--interval <d>", "read twice this far apart and show rates between the reads (default: one read, counters since the collector started)")
    .option("--processor <id>", "the optimizer's component id", "wasm/optimize")
    .option("--count <n>", "with --watch: stop after n reads")
    .option("--timeout <d>", "give up on a read after this long", "5s")
    .action(async (opts: StatusOptions) => {
      await runStatus(opts, io);
    });
}
