// A busy host for end-to-end tests: many idle processes and a few CPU burners, each kind under its
// own executable name (a copy of a system binary) so queries can find them.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync } from "node:fs";
import { setPriority } from "node:os";
import { join } from "node:path";

export interface Workload {
  idleName: string;
  burnerNames: string[];
  stop(): void;
}

/**
 * startWorkload spawns `idle` copies of sleep named nrdot-idle and `burners` shells named
 * nrdot-burn-N spinning in a loop at nice 19 (so the collector and Prometheus still get the CPU
 * they need on a 2-core machine). Names stay under 15 characters: the scraper reads the kernel's
 * comm.
 */
export function startWorkload(dir: string, idle: number, burners: number): Workload {
  const children: ChildProcess[] = [];
  const idleName = "nrdot-idle";
  copyFileSync("/bin/sleep", join(dir, idleName));
  for (let i = 0; i < idle; i++) children.push(spawn(join(dir, idleName), ["3600"], { stdio: "ignore" }));
  const burnerNames: string[] = [];
  for (let i = 1; i <= burners; i++) {
    const name = `nrdot-burn-${i}`;
    copyFileSync("/bin/sh", join(dir, name));
    const c = spawn(join(dir, name), ["-c", "while :; do :; done"], { stdio: "ignore" });
    if (c.pid) setPriority(c.pid, 19);
    children.push(c);
    burnerNames.push(name);
  }
  return {
    idleName,
    burnerNames,
    stop() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    },
  };
}
