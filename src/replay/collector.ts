// Running the real collector for record and replay: start it on a config, wait, stop it.
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { UserError } from "../errors.ts";

export interface Running {
  stop(): Promise<void>;
  exited(): boolean;
  output(): string;
}

export function startCollector(bin: string, config: string, env: NodeJS.ProcessEnv): Running {
  if (!existsSync(bin)) throw new UserError(`${bin}: the collector binary is missing`, "COLLECTOR_MISSING", "build it with `make build`, or pass --collector PATH");
  const child = spawn(bin, ["--config", config], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const done = new Promise((r) => child.on("exit", r));
  return {
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([done, sleep(15_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
    exited: () => child.exitCode !== null,
    output: () => out,
  };
}

/** waitQuiet waits until file has stopped growing for quietMs (or the collector exits). */
export async function waitQuiet(file: string, run: Running, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let size = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    if (run.exited()) throw new UserError(`the collector exited early:\n${run.output().split("\n").slice(-15).join("\n")}`, "COLLECTOR_EXITED");
    const s = existsSync(file) ? statSync(file).size : 0;
    if (s !== size) [size, since] = [s, Date.now()];
    else if (s > 0 && Date.now() - since >= quietMs) return;
    await sleep(200);
  }
  throw new UserError(`${file}: no complete output after ${timeoutMs / 1000}s`, "REPLAY_TIMEOUT");
}
