// The doc-test: every command the docs mark runnable runs, every output they show is what the
// command printed, and every internal link and anchor resolves.
//
//   node --import tsx scripts/doc-test.ts              # check every page (test/docs/ runs the same)
//   node --import tsx scripts/doc-test.ts --update     # rewrite the output blocks from a run
//   node --import tsx scripts/doc-test.ts docs/getting-started/quick-start.md   # some pages
//
// Shell blocks that are not runnable (Kubernetes, a running collector, long recordings) are not
// run, but every `nrdot …` command in them must name a real command and real flags of the CLI.
//
// Markers (a fenced block's info string):
//   ```sh runnable            run with bash (errexit, pipefail); exit=N expects exit status N
//   ```text output            the previous runnable block's stdout+stderr, compared exactly
//                             (trailing spaces and blank lines aside, the folder's path shown
//                             relative); --update rewrites it
// The blocks of one page run in order, in one fresh temporary folder, so a page can generate a
// file and then validate it. That folder has the repository's read-only inputs linked in (bin/,
// build/, configs/, profiles/, deploy/, schemas/, processors/) so a command reads as it would in
// a clone, and a PATH whose `nrdot` and `npx nrdot` run this tree's CLI and whose
// `nrdot-collector` is bin/nrdot-collector. NEW_RELIC_LICENSE_KEY and NRDOT_* are unset, so the
// output does not depend on who runs it. Keep runnable blocks offline and short: long-running
// commands (Kubernetes, images, `make run`) go in plain ```sh blocks.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..");
/** What a runnable block's folder links in from the repository. */
export const LINKED = ["bin", "build", "configs", "profiles", "deploy", "schemas", "processors"];

export interface Block {
  page: string;
  line: number; // 1-based line of the opening fence
  info: string;
  body: string;
  /** [start, end) lines of the body, 0-based, for --update */
  bodyLines: [number, number];
  /** the fence's indentation (a block in a list item), taken off the body's lines */
  indent: string;
}

export interface Runnable { block: Block; exit: number; output?: Block }

/** blocks returns a page's fenced code blocks (``` or ~~~). */
export function blocks(page: string, text: string): Block[] {
  const lines = text.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    // Up to 3 spaces, or deeper inside a list item.
    const open = /^( *)(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    let j = i + 1;
    while (j < lines.length && !(lines[j].trimStart().startsWith(fence[0].repeat(fence.length)) && lines[j].trim().replace(new RegExp(`^\\${fence[0]}+`), "") === "")) j++;
    const indent = open[1];
    const body = lines.slice(i + 1, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart())).join("\n");
    out.push({ page, line: i + 1, info: open[3].trim(), body, bodyLines: [i + 1, j], indent });
    i = j;
  }
  return out;
}

const words = (info: string) => info.split(/\s+/).filter(Boolean);

/** runnables pairs each runnable block with the output block that follows it, if any. */
export function runnables(page: string, text: string): { list: Runnable[]; problems: string[] } {
  const list: Runnable[] = [];
  const problems: string[] = [];
  for (const b of blocks(page, text)) {
    const w = words(b.info);
    if (w.includes("runnable")) {
      if (!["sh", "bash", "shell"].includes(w[0])) problems.push(`${page}:${b.line}: a runnable block is sh or bash, not ${w[0] ?? "untyped"}`);
      const exit = Number(w.find((x) => x.startsWith("exit="))?.slice(5) ?? 0);
      list.push({ block: b, exit });
    } else if (w.includes("output")) {
      const last = list.at(-1);
      if (!last || last.output) problems.push(`${page}:${b.line}: an output block must follow a runnable block (one output each)`);
      else last.output = b;
    }
  }
  return { list, problems };
}

/** normalize drops trailing spaces and leading and trailing blank lines. */
export function normalize(s: string): string {
  return s.split("\n").map((l) => l.replace(/\s+$/, "")).join("\n").replace(/^\n+|\n+$/g, "");
}

/** The commands a block can call by name: nrdot (this tree's CLI), npx nrdot, nrdot-collector. */
function shims(dir: string): string {
  const bin = join(dir, ".doc-test-bin");
  mkdirSync(bin, { recursive: true });
  const compiled = join(ROOT, "dist/bin/nrdot.js");
  const cli = existsSync(compiled) ? compiled : join(ROOT, "src/bin/nrdot.mjs");
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  write("nrdot", `exec node ${JSON.stringify(cli)} "$@"`);
  // Only `npx nrdot`: a doc-test never downloads a package.
  write("npx", `if [ "$1" = nrdot ]; then shift; exec node ${JSON.stringify(cli)} "$@"; fi\necho "doc-test: npx $1 is not available here (only npx nrdot)" >&2; exit 127`);
  write("nrdot-collector", `exec ${JSON.stringify(join(ROOT, "bin/nrdot-collector"))} "$@"`);
  return bin;
}

/** workdir is a fresh folder with the repository's inputs linked in. */
export function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), "nrdot-doc-test-"));
  for (const l of LINKED) if (existsSync(join(ROOT, l))) symlinkSync(join(ROOT, l), join(dir, l));
  return dir;
}

export function environment(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NRDOT_") && k !== "NEW_RELIC_LICENSE_KEY") env[k] = v;
  env.PATH = `${shims(dir)}:${process.env.PATH}`;
  env.NO_COLOR = "1";
  return env;
}

export interface Ran { runnable: Runnable; status: number | null; output: string; problem?: string }

/** runPage runs a page's runnable blocks in order in one folder; stops at the first failure. */
export function runPage(page: string, timeoutMs = 180_000): { ran: Ran[]; problems: string[] } {
  const text = readFileSync(join(ROOT, page), "utf8");
  const { list, problems } = runnables(page, text);
  const ran: Ran[] = [];
  if (list.length === 0 || problems.length > 0) return { ran, problems };
  const dir = workdir();
  const env = environment(dir);
  try {
    for (const r of list) {
      const res = spawnSync("bash", ["-eo", "pipefail", "-c", r.block.body], { cwd: dir, env, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
      // stdout then stderr: a block that shows an error shows what the terminal shows.
      // The folder's own path is left out: output reads as if run where the reader is.
      const output = ((res.stdout ?? "") + (res.stderr ?? "")).replaceAll(`${dir}/`, "").replaceAll(dir, ".");
      const one: Ran = { runnable: r, status: res.status, output };
      const where = `${page}:${r.block.line}`;
      if (res.error) one.problem = `${where}: ${res.error.message}`;
      else if (res.status !== r.exit) one.problem = `${where}: exit ${res.status}, expected ${r.exit}\n${r.block.body}\n--- output:\n${output}`;
      else if (r.output && normalize(r.output.body) !== normalize(output)) {
        one.problem = `${where}: the output shown at line ${r.output.line} is not what the command printed (--update rewrites it)\n--- shown:\n${normalize(r.output.body)}\n--- printed:\n${normalize(output)}`;
      }
      ran.push(one);
      if (one.problem && (res.error || res.status !== r.exit)) {
        problems.push(one.problem);
        break;
      }
      if (one.problem) problems.push(one.problem);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ran, problems };
}

/** updatePage rewrites the output blocks of a page from a run; returns whether it changed. */
export function updatePage(page: string, ran: Ran[]): boolean {
  const file = join(ROOT, page);
  const lines = readFileSync(file, "utf8").split("\n");
  let changed = false;
  // From the bottom up, so earlier line numbers stay valid.
  for (const r of [...ran].reverse()) {
    const o = r.runnable.output;
    if (!o || r.status !== r.runnable.exit) continue;
    const want = normalize(r.output);
    if (normalize(o.body) === want) continue;
    lines.splice(o.bodyLines[0], o.bodyLines[1] - o.bodyLines[0], ...want.split("\n").map((l) => (l ? o.indent + l : l)));
    changed = true;
  }
  if (changed) writeFileSync(file, lines.join("\n"));
  return changed;
}

// ---- invocations in blocks that are not run ----

/** words splits one shell command line into words (quotes kept together, not expanded). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"]+/g)].map((m) => m[0].replace(/^['"]|['"]$/g, ""));
}

/**
 * invocations returns every `nrdot …` / `npx nrdot …` command of a page's shell blocks that are
 * not runnable (Kubernetes, a running collector, long recordings), with its line: those are not
 * run, so their command names and flags are checked against the CLI instead.
 */
export function invocations(page: string, text: string): { line: number; argv: string[] }[] {
  const out: { line: number; argv: string[] }[] = [];
  for (const b of blocks(page, text)) {
    const w = words(b.info);
    if (!["sh", "bash", "shell", "console"].includes(w[0] ?? "") || w.includes("runnable")) continue;
    const lines = b.body.split("\n");
    for (let i = 0; i < lines.length; i++) {
      let l = lines[i];
      const at = i;
      while (l.endsWith("\\") && i + 1 < lines.length) l = l.slice(0, -1) + " " + lines[++i];
      // One command: from `nrdot` to the first operator or comment.
      // At a command's position only (`kubectl -n nrdot …` is not one), comments left out.
      const code = l.replace(/(^|\s)#.*$/, "");
      for (const m of code.matchAll(/(?:^|[;&|(]|\$\()\s*(?:npx\s+)?nrdot\s+([^|;&>)]*)/g)) {
        out.push({ line: b.line + 1 + at, argv: shellWords(m[1].trim()).filter((x) => x !== "") });
      }
    }
  }
  return out;
}

/** checkInvocations checks that every such command and flag exists in the CLI program. */
export async function checkInvocations(pages: string[], read = (page: string) => readFileSync(join(ROOT, page), "utf8")): Promise<string[]> {
  const { program } = await import("../src/cli.ts");
  const quiet = { write: () => true };
  const p = await program({ stdout: quiet, stderr: quiet, env: {} });
  type Cmd = typeof p;
  const flagsOf = (c: Cmd) => new Set(c.options.flatMap((o) => [o.long, o.short].filter((x): x is string => Boolean(x))));
  const global = new Set([...flagsOf(p), "--help", "-h"]);
  const problems: string[] = [];
  for (const page of pages) {
    for (const { line, argv } of invocations(page, read(page))) {
      let cmd: Cmd = p;
      let k = 0;
      while (k < argv.length && !argv[k].startsWith("-")) {
        const sub = cmd.commands.find((c) => c.name() === argv[k]);
        if (!sub) break;
        cmd = sub;
        k++;
      }
      if (cmd === p) {
        if (argv.length > 0 && !argv[0].startsWith("-")) problems.push(`${page}:${line}: nrdot ${argv[0]}: no such command`);
        continue;
      }
      const known = new Set([...flagsOf(cmd), ...global]);
      for (const a of argv.slice(k)) {
        if (!a.startsWith("-") || a === "-" || a === "--") continue;
        const flag = a.split("=")[0];
        if (!known.has(flag)) problems.push(`${page}:${line}: nrdot ${cmd.name()}: no flag ${flag}`);
      }
    }
  }
  return problems;
}

// ---- links ----

/** slug is GitHub's anchor for a heading. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase()
    .replace(/<[^>]+>/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** anchors of a markdown file: its headings' slugs (duplicates numbered) and explicit ids. */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  const inCode = codeLines(text);
  text.split("\n").forEach((l, i) => {
    if (inCode.has(i)) return;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (h) {
      const s = slug(h[1]);
      const n = seen.get(s) ?? 0;
      seen.set(s, n + 1);
      out.add(n === 0 ? s : `${s}-${n}`);
    }
    for (const m of l.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]);
  });
  return out;
}

function codeLines(text: string): Set<number> {
  const out = new Set<number>();
  for (const b of blocks("", text)) for (let i = b.line - 1; i <= b.bodyLines[1]; i++) out.add(i);
  return out;
}

/** links returns a page's relative links (not inside code), with their line. */
export function links(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  const inCode = codeLines(text);
  text.split("\n").forEach((l, i) => {
    if (inCode.has(i)) return;
    const plain = l.replace(/`[^`]*`/g, "");
    for (const m of plain.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1], line: i + 1 });
    for (const m of plain.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target));
}

/** checkLinks checks every relative link and anchor of the pages; returns the broken ones. */
export function checkLinks(pages: string[]): string[] {
  const problems: string[] = [];
  const cache = new Map<string, Set<string>>();
  const anchorsOf = (file: string) => {
    if (!cache.has(file)) cache.set(file, anchors(readFileSync(file, "utf8")));
    return cache.get(file)!;
  };
  for (const page of pages) {
    const file = join(ROOT, page);
    for (const { target, line } of links(readFileSync(file, "utf8"))) {
      const [path, anchor] = target.split("#", 2);
      const dest = path === "" ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!dest.startsWith(ROOT + "/") && dest !== ROOT) {
        problems.push(`${page}:${line}: ${target} leaves the repository`);
        continue;
      }
      if (!existsSync(dest)) {
        problems.push(`${page}:${line}: ${target}: no such file (${relative(ROOT, dest)})`);
        continue;
      }
      if (anchor !== undefined && dest.endsWith(".md") && statSync(dest).isFile() && !anchorsOf(dest).has(anchor)) {
        problems.push(`${page}:${line}: ${target}: no heading #${anchor} in ${relative(ROOT, dest)}`);
      }
    }
  }
  return problems;
}

/**
 * The pages the doc-test reads: README.md, every Markdown file under docs/, and the READMEs of
 * the components (processors/, collector/, deploy/, test/vectors/) that the docs link to.
 */
export function docPages(): string[] {
  const out = ["README.md"];
  const walk = (d: string, only?: string) => {
    if (!existsSync(join(ROOT, d))) return;
    for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && !e.name.startsWith(".")) walk(p, only);
      } else if (only ? e.name === only : e.name.endsWith(".md")) out.push(p);
    }
  };
  walk("docs");
  for (const d of ["processors", "collector", "deploy", "test/vectors"]) walk(d, "README.md");
  return out.sort();
}

if (import.meta.filename === resolve(process.argv[1] ?? "")) {
  const args = process.argv.slice(2);
  const update = args.includes("--update");
  const pages = args.filter((a) => !a.startsWith("--"));
  const chosen = pages.length > 0 ? pages.map((p) => relative(ROOT, resolve(p))) : docPages();
  const problems = [...checkLinks(chosen), ...(await checkInvocations(chosen))];
  for (const page of chosen) {
    const t0 = Date.now();
    const { ran, problems: p } = runPage(page);
    if (ran.length === 0 && p.length === 0) continue;
    if (update && updatePage(page, ran)) process.stdout.write(`updated ${page}\n`);
    const left = update ? p.filter((x) => !x.includes("is not what the command printed")) : p;
    problems.push(...left);
    process.stdout.write(`${left.length === 0 ? "ok  " : "FAIL"} ${page}: ${ran.length} block(s), ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  for (const p of problems) process.stderr.write(`${p}\n\n`);
  process.stdout.write(problems.length === 0 ? "doc-test: ok\n" : `doc-test: ${problems.length} problem(s)\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
