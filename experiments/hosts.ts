// Seeded synthetic hosts for experiments (test/fixtures/generate.ts): one recording per host, as
// the process scraper records it, each host with its own processes and load.
//   node --import tsx experiments/hosts.ts OUTDIR [--hosts 3] [--intervals 12] [--scale 0.3]
// writes OUTDIR/host-1.jsonl … and prints their --input flags.
import { join } from "node:path";
import { generateHost, writeJsonl } from "../test/fixtures/generate.ts";

const args = process.argv.slice(2);
const flag = (name: string, d: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : d; };
const out = args[0];
if (!out || out.startsWith("--")) {
  console.error("usage: experiments/hosts.ts OUTDIR [--hosts 3] [--intervals 12] [--scale 0.3]");
  process.exit(2);
}
const flags: string[] = [];
for (let seed = 1; seed <= flag("hosts", 3); seed++) {
  const f = join(out, `host-${seed}.jsonl`);
  const batches = generateHost({ intervals: flag("intervals", 12), seed, scale: flag("scale", 0.3), temporality: "cumulative" });
  // Each host its own name, so reports and the roll-up tell them apart.
  for (const b of batches) for (const rm of b.resourceMetrics) for (const a of rm.resource?.attributes ?? []) if (a.key === "host.name") a.value = { stringValue: `host-${seed}` };
  writeJsonl(f, batches);
  flags.push("--input", f);
}
console.log(flags.join(" "));
