// Waiting for a replaying collector to be ready, and to finish its output.
import { existsSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Running } from "../collector.ts";
import { UserError } from "../errors.ts";

/** waitQuiet waits until file has stopped growing for quietMs (or the collector exits). */
export async function waitQuiet(file: string, run: Running, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let size = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    run.assertAlive();
    const s = existsSync(file) ? statSync(file).size : 0;
    if (s !== size) [size, since] = [s, Date.now()];
    else if (s > 0 && Date.now() - since >= quietMs) return;
    await sleep(200);
  }
  throw new UserError(`${file}: no complete output after ${timeoutMs / 1000}s`, "REPLAY_TIMEOUT");
}

/**
 * waitReady waits until the collector says it runs (every component started, its processors
 * created: cumulative_to_delta's start time is behind us).
 */
export async function waitReady(run: Running, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/Everything is ready/.test(run.output())) {
    run.assertAlive();
    if (Date.now() > deadline) throw new UserError(`the collector did not start within ${timeoutMs / 1000}s`, "REPLAY_TIMEOUT");
    await sleep(50);
  }
}
