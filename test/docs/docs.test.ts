// The documentation is tested: generated reference pages are current, every internal link and
// anchor resolves, and every block marked runnable runs and prints what the page shows
// (scripts/doc-test.ts; `node --import tsx scripts/doc-test.ts --update` rewrites shown output).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { anchors, checkInvocations, checkLinks, docPages, invocations, links, normalize, ROOT, runnables, runPage, slug } from "../../scripts/doc-test.ts";
import { API_PAGE, apiMarkdown } from "../../scripts/gen-api-docs.ts";
import { METRICS_PAGE, metricsMarkdown } from "../../scripts/gen-metrics-docs.ts";

describe("generated reference pages", () => {
  it("docs/reference/api.md is the CLI's commands and flags as src/cli.ts builds them", async () => {
    assert.equal(readFileSync(API_PAGE, "utf8"), await apiMarkdown(), "stale: node --import tsx scripts/gen-api-docs.ts");
  });
  it("docs/reference/metrics.md is the metrics as the code defines them", () => {
    assert.equal(readFileSync(METRICS_PAGE, "utf8"), metricsMarkdown(), "stale: node --import tsx scripts/gen-metrics-docs.ts");
  });
});

describe("the doc-test itself", () => {
  it("pairs runnable blocks with their output and finds links outside code", () => {
    const page = ["# A `b` c!", "", "```sh runnable exit=1", "false", "```", "", "```text output", "x  ", "```",
      "see [x](other.md#a-b-c) and `[y](z.md)`", "```sh", "[no](link.md)", "```"].join("\n");
    const { list, problems } = runnables("p.md", page);
    assert.deepEqual(problems, []);
    assert.equal(list.length, 1);
    assert.equal(list[0].exit, 1);
    assert.equal(normalize(list[0].output!.body), "x");
    assert.deepEqual(links(page).map((l) => l.target), ["other.md#a-b-c"]);
    assert.ok(anchors(page).has("a-b-c"));
    assert.equal(slug("nrdot experiment run"), "nrdot-experiment-run");
  });
  it("checks the nrdot commands of blocks it does not run against the CLI", async () => {
    const page = ["```sh", "kubectl -n nrdot get pods      # not nrdot's", "npx nrdot status --endpoint h:8888 --watch \\", "  --count 3 | head",
      "nrdot simulate --profil x  # a typo", "x && nrdot nope", "```", "```sh runnable", "nrdot --bogus", "```"].join("\n");
    assert.deepEqual(invocations("p.md", page).map((i) => i.argv), [["status", "--endpoint", "h:8888", "--watch", "--count", "3"], ["simulate", "--profil", "x"], ["nope"]]);
    assert.deepEqual(await checkInvocations(["p.md"], () => page), ["p.md:5: nrdot simulate: no flag --profil", "p.md:6: nrdot nope: no such command"]);
  });
  it("refuses an output block that follows no runnable block", () => {
    assert.equal(runnables("p.md", "```text output\nx\n```\n").problems.length, 1);
  });
});

/** The handbook's tree (issue 12): a page that goes missing fails here, not in a reader's browser. */
const TREE = [
  "docs/README.md",
  "docs/getting-started/quick-start.md", "docs/getting-started/production-setup.md", "docs/getting-started/migration-guide.md",
  "docs/configuration/receivers.md", "docs/configuration/processors.md", "docs/configuration/exporters.md", "docs/configuration/pipelines.md",
  "docs/operations/monitoring.md", "docs/operations/troubleshooting.md", "docs/operations/tuning.md",
  ...["high-memory", "pipeline-backup", "state-corruption", "breaker-open", "ratio-below-target", "backend-rejecting"].map((r) => `docs/operations/runbooks/${r}.md`),
  "docs/reference/architecture.md", "docs/reference/api.md", "docs/reference/metrics.md", "docs/reference/abi.md",
];

describe("the docs", () => {
  it("the handbook's pages exist", () => {
    assert.deepEqual(TREE.filter((p) => !existsSync(`${ROOT}/${p}`)), []);
  });
  it("every internal link and anchor resolves", () => {
    assert.deepEqual(checkLinks(docPages()), []);
  });
  it("every nrdot command in a block that is not run names real commands and flags", async () => {
    assert.deepEqual(await checkInvocations(docPages()), []);
  });
  for (const page of docPages()) {
    const { list } = runnables(page, readFileSync(`${ROOT}/${page}`, "utf8"));
    if (list.length === 0) continue;
    it(`${page}: ${list.length} runnable block(s) run and print what the page shows`, () => {
      const { problems } = runPage(page);
      assert.deepEqual(problems, []);
    });
  }
});
