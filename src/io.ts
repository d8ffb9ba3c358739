// What a command may touch of the outside world; the bin passes the real process's.
export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** the working folder relative paths are resolved against (the bin's process.cwd(); "." when absent) */
  cwd?: string;
}
