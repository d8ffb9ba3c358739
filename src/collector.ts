// Running the real built collector: for record and replay, the end-to-end tests and the
// benchmarks alike.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

/** LOCK_FILE is the lock of a data dir, the same as scripts/run.sh takes. */
export const LOCK_FILE = "nrdot.lock";

/**
 * lockDataDir takes the data dir's lock (flock(2) on DIR/nrdot.lock, as scripts/run.sh does) and
 * returns the open file descriptor that holds it, or refuses, naming the dir, the lock and the
 * pid in it, when another collector holds it. Node has no flock: flock(1) locks the descriptor it
 * inherits, which is the same open file as ours, and the lock stays with it after flock(1) exits.
 */
export function lockDataDir(dir: string): number {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, LOCK_FILE);
  const fd = openSync(lock, "a");
  const r = spawnSync("flock", ["-n", "3"], { stdio: ["ignore", "ignore", "pipe", fd] });
  if (r.error) {
    closeSync(fd);
    throw new UserError(`${lock}: cannot take the data dir's lock: ${r.error.message}`, "DATA_DIR_LOCK", "flock(1) (util-linux) is needed");
  }
  if (r.status !== 0) {
    closeSync(fd);
    let pid = "unknown";
    try { pid = readFileSync(lock, "utf8").trim() || pid; } catch { /* gone meanwhile */ }
    throw new UserError(`${dir} is in use by another collector (pid ${pid} holds the lock ${lock})`, "DATA_DIR_IN_USE",
      "stop that one, or give this one its own NRDOT_DATA_DIR");
  }
  return fd;
}

export interface StartOptions {
  /** dataDir, when set, is locked for as long as the collector runs (lockDataDir). */
  dataDir?: string;
}

/** A process started by startProcess: Running without what is the collector's. */
export type Process = Omit<Running, "assertAlive">;

/**
 * startProcess runs bin with its stdout and stderr kept, and stops it with SIGTERM, then SIGKILL
 * after 15 s; fds are passed on as its descriptors 3, 4, ... (the end-to-end tests run
 * Prometheus with it too).
 */
export function startProcess(bin: string, args: string[], env: NodeJS.ProcessEnv, fds: number[] = []): Process {
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe", ...fds] });
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const done = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid!,
    done,
    exited,
    output: () => out,
    async stop() {
      if (!exited()) child.kill("SIGTERM");
      await Promise.race([done, sleep(15_000)]);
      if (!exited()) child.kill("SIGKILL");
      await done;
    },
  };
}

/** startCollector runs bin on config files (later ones override earlier ones). */
export function startCollector(bin: string, configs: string | string[], env: NodeJS.ProcessEnv, opts: StartOptions = {}): Running {
  requireCollector(bin);
  const args = (Array.isArray(configs) ? configs : [configs]).flatMap((c) => ["--config", c]);
  const lock = opts.dataDir !== undefined ? lockDataDir(opts.dataDir) : undefined;
  // The collector inherits the locked descriptor (as fd 3): the lock lasts as long as it runs,
  // even when it, or this process, is killed.
  const proc = startProcess(bin, args, env, lock !== undefined ? [lock] : []);
  if (lock !== undefined) {
    if (proc.pid !== undefined) writeFileSync(join(opts.dataDir!, LOCK_FILE), `${proc.pid}\n`);
    closeSync(lock);
  }
  return {
    ...proc,
    assertAlive() {
      if (proc.exited()) throw new UserError(`the collector exited early:\n${proc.output().split("\n").slice(-15).join("\n")}`, "COLLECTOR_EXITED");
    },
  };
}
