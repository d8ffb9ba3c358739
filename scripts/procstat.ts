// What the benchmarks read about a process from /proc (Linux).
import { readFileSync } from "node:fs";

const CLK_TCK = 100; // Linux USER_HZ, the unit of utime and stime

/** cpuMs is the process's user + system CPU time so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 1000 / CLK_TCK; // utime + stime
}

/** peakRssMiB is the process's peak resident set (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}
