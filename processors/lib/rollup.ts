// The roll-up declaration (docs/reference/abi.md, "nrdot_rollup"): what the resource that
// rolled-up rows are summed into looks like. The host knows nothing about processes; a module
// tells it how rows are grouped, which attributes of the first rolled-up row are stripped, which
// are set, and which metric counts the rows. Built once, at start-up; the host reads it once per
// instance, after nrdot_configure.
import { outputString } from "./abi";

/**
 * Rollup builds the declaration text, one line per call, in call order:
 *   new Rollup().group("host.name").strip("process.").setString("k", "v").count("m").text()
 */
export class Rollup {
  private lines: string[] = [];

  /** group: one roll-up resource per distinct tuple of these attributes' values (absent = ""). */
  group(key: string): Rollup {
    return this.line("group " + key);
  }

  /** strip: attributes whose key starts with prefix are removed from the first rolled-up row's. */
  strip(prefix: string): Rollup {
    return this.line("strip " + prefix);
  }

  /** setString, setBool, setInt: attributes written after stripping. */
  setString(key: string, value: string): Rollup {
    return this.line("set " + key + " string " + value);
  }

  setBool(key: string, value: bool): Rollup {
    return this.line("set " + key + " bool " + (value ? "true" : "false"));
  }

  setInt(key: string, value: i64): Rollup {
    return this.line("set " + key + " int " + value.toString());
  }

  /** count: an int gauge of that name with the number of rows rolled up (at most one). */
  count(metric: string): Rollup {
    return this.line("count " + metric);
  }

  /** text is the declaration nrdot_rollup returns. */
  text(): string {
    return this.lines.join("");
  }

  private line(s: string): Rollup {
    this.lines.push(s + "\n");
    return this;
  }
}

/**
 * PROCESS_ROLLUP is the roll-up of process metrics that classify and optimize declare: one
 * "other" per host, without what identifies a process (process.*) or what a stage wrote about
 * one (nrdot.*), marked as a roll-up of tier sampled, with the processes counted.
 */
export function processRollup(): Rollup {
  return new Rollup()
    .group("host.name")
    .strip("process.")
    .strip("nrdot.")
    .setString("process.executable.name", "other")
    .setBool("nrdot.rollup", true)
    .setString("nrdot.tier", "sampled")
    .count("nrdot.rollup.count");
}

let declared: string = "";

/** declareRollup makes r what nrdot_rollup returns; a module calls it once, at start-up. */
export function declareRollup(r: Rollup): void {
  declared = r.text();
}

/** outputRollup is nrdot_rollup: the declaration copied to the output; returns its length. */
export function outputRollup(): i32 {
  return outputString(declared);
}
