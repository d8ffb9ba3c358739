// `nrdot --help` from the build's listing (commands not loaded) reads exactly like the help of
// the program with every command loaded; a command named on the command line is the real one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { COMMANDS, listing, main, type Listing } from "../../src/cli.ts";

async function help(argv: string[], list?: Listing): Promise<{ code: number; out: string }> {
  let out = "";
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, env: {} };
  const code = await main(argv, io, list);
  return { code, out };
}

describe("the command listing", () => {
  it("--help from the listing equals --help with every command loaded", async () => {
    const quiet = { write: () => true };
    const list = await listing({ stdout: quiet, stderr: quiet, env: {} });
    assert.deepEqual(list.map((l) => l.name), COMMANDS.map((c) => c.name));
    const full = await help(["--help"]);
    assert.equal(full.code, 0);
    assert.deepEqual(await help(["--help"], list), full);
    assert.deepEqual(await help(["help"], list), await help(["help"]));
    // A command's own help and unknown commands behave alike either way.
    for (const argv of [["status", "--help"], ["help", "generate"], ["--verbose", "validate", "--help"], ["nope"]]) {
      assert.deepEqual(await help(argv, list), await help(argv), argv.join(" "));
    }
  });
});
