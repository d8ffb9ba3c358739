// Running the real built collector: for record and replay, the end-to-end tests and the
// benchmarks alike.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { UserError } from "./errors.ts";

/** requireCollector refuses a collector binary that is not there, saying how to build it. */
export function requireCollector(bin: string): void {
  if (!existsSync(bin)) throw new UserError(`${bin}: the collector binary is missing`, "COLLECTOR_MISSING", "build it with `make build`, or pass --collector PATH");
}

export interface Running {
  pid: number;
  /** done resolves with the exit code when the collector exits. */
  done: Promise<number | null>;
  exited(): boolean;
  /** output is its stdout and stderr so far. */
  output(): string;
  /** assertAlive throws, with the end of its output, when the collector has exited. */
  assertAlive(): void;
  /** stop sends SIGTERM, and SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/** startCollector runs bin on config files (later ones override earlier ones). */
export function startCollector(bin: string, configs: string | string[], env: NodeJS.ProcessEnv): Running {
  requireCollector(bin);
  const args = (Array.isArray(configs) ? configs : [configs]).flatMap((c) => ["--config", c]);
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const done = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid!,
    done,
    exited,
    output: () => out,
    assertAlive() {
      if (exited()) throw new UserError(`the collector exited early:\n${out.split("\n").slice(-15).join("\n")}`, "COLLECTOR_EXITED");
    },
    async stop() {
      if (!exited()) child.kill("SIGTERM");
      await Promise.race([done, sleep(15_000)]);
      if (!exited()) child.kill("SIGKILL");
      await done;
    },
  };
}
