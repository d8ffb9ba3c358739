// What a command may touch of the outside world; the bin passes the real process's.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "./errors.ts";
import { points, type MetricsData } from "./host/index.ts";

export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** the working folder relative paths are resolved against (the bin's process.cwd(); "." when absent) */
  cwd?: string;
}

// Files named on the command line: every way one can be wrong is a UserError naming the path
// (exit 1), never an fs error surfacing as an internal error (exit 70).

const FS_REASONS: Record<string, string> = {
  EACCES: "permission denied", EPERM: "operation not permitted", EISDIR: "is a directory", ENOTDIR: "a part of the path is not a directory",
  ENOENT: "does not exist", EEXIST: "already exists", ENOSPC: "no space left on the device", EROFS: "read-only file system", ENAMETOOLONG: "name too long",
};

/** fsError turns an fs exception into a UserError about file, or returns undefined for another error. */
export function fsError(e: unknown, file: string, doing: string, code: string, hint?: string): UserError | undefined {
  const c = (e as NodeJS.ErrnoException)?.code;
  if (typeof c !== "string" || !/^E[A-Z]+$/.test(c)) return undefined;
  return new UserError(`${file}: cannot ${doing}: ${FS_REASONS[c] ?? c}`, code, hint);
}

/**
 * readTextFile reads a file given as what (e.g. "profile file"); a missing file, a directory or
 * an unreadable file is a UserError naming it.
 */
export function readTextFile(file: string, what: string, code: string, hint?: string): string {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new UserError(`${file}: no such ${what}`, code, hint);
    throw fsError(e, file, `read the ${what}`, code, hint) ?? e;
  }
  if (st.isDirectory()) throw new UserError(`${file}: is a directory, not a ${what}`, code, hint ?? `give the path of a ${what}`);
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw fsError(e, file, `read the ${what}`, code, hint) ?? e;
  }
}

/** outputDir makes dir (with parents) for files to be written into, or says why it cannot. */
export function outputDir(dir: string, flag: string): void {
  let st;
  try { st = statSync(dir); } catch { /* made below */ }
  if (st && !st.isDirectory()) throw new UserError(`${flag} ${dir}: is a file; ${flag} takes a folder`, "OUTPUT_NOT_DIR", "give a folder (it is created if missing)");
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fsError(e, dir, "create the output folder", "OUTPUT_UNWRITABLE") ?? e;
  }
}

/** writeTextFile writes an output file, or says why it cannot (a directory there, no permission). */
export function writeTextFile(file: string, text: string, flag: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw fsError(e, file, `write ${flag}`, "OUTPUT_UNWRITABLE") ?? e;
  }
}

/** checkOutputFile refuses, without creating it, an output path that cannot be a file. */
export function checkOutputFile(file: string, flag: string): void {
  let isDir = false;
  try { isDir = statSync(file).isDirectory(); } catch { /* absent: fine */ }
  if (isDir) throw new UserError(`${file}: cannot write ${flag}: is a directory`, "OUTPUT_UNWRITABLE", "give the path of a file");
  let parent;
  try { parent = statSync(dirname(resolve(file))); } catch { /* absent */ }
  if (!parent?.isDirectory()) throw new UserError(`${file}: cannot write ${flag}: its folder does not exist`, "OUTPUT_UNWRITABLE");
}

/**
 * readRecording reads OTLP/JSON lines (the file exporter's format), each line parsed once. A last
 * line cut off (no newline after it, not JSON: the writer was stopped mid-line) is reported
 * through warn and skipped; any other bad line, and a file without a single data point, is a
 * UserError.
 */
export function readRecording(file: string, warn: (s: string) => void): MetricsData[] {
  const hint = "record one with `nrdot record` (the collector's file exporter: OTLP/JSON lines)";
  const lines = readTextFile(file, "recording", "INPUT_NOT_FOUND", hint).split("\n");
  const last = lines.length - 1; // after the final newline: "" when the file ends with one
  const bad = (i: number, why: string) => new UserError(`${file}:${i + 1}: ${why}`, "RECORDING_INVALID", hint);
  const batches: MetricsData[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let doc: any;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      if (i === last) {
        warn(`nrdot: ${file}:${i + 1}: the last line is cut off (${line.length} characters, no newline after it): skipped\n`);
        break;
      }
      throw bad(i, `not JSON: ${(e as Error).message}`);
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !Array.isArray(doc.resourceMetrics)) {
      throw bad(i, "not OTLP/JSON metrics: want an object with a resourceMetrics array");
    }
    batches.push({ resourceMetrics: doc.resourceMetrics });
  }
  // protojson leaves out empty lists: a resource or scope may come without its metrics.
  if (!batches.some((b) => b.resourceMetrics.some((rm) => rm.scopeMetrics?.some((sm) => sm.metrics?.some((m) => points(m).length > 0))))) {
    throw new UserError(`${file}: no OTLP metric data points in ${batches.length} line(s)`, "RECORDING_EMPTY", hint);
  }
  return batches;
}
