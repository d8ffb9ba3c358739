// classify's table: the three string columns it declares, and one decision per row from a Policy.
import { ACTION_KEEP, beginDecisions, decide } from "../lib/decisions";
import { Policy } from "../lib/policy";
import { Table } from "../lib/table";

/** The columns classify declares (nrdot_columns), in string-column order. */
export const COLUMNS = "attr process.executable.name\nattr process.command_line\nattr process.owner\n";
export const STR_COLS = 3;
export const NUM_COLS = 0;
const COL_EXE = 0;
const COL_CMD = 1;
const COL_OWNER = 2;

/**
 * classifyRows writes one decision per row of t: keep, with the tier and score of the first rule
 * that matches, or the default tier. No allocation, no decoding: rules match the UTF-8 bytes.
 */
export function classifyRows(t: Table, policy: Policy): void {
  const rows = t.rows;
  beginDecisions(rows);
  const rules = policy.rules;
  const defaultTier = policy.defaultTier;
  const defaultScore = policy.defaultScore;
  for (let r = 0; r < rows; r++) {
    const hit = policy.classify(
      t.strPtr(COL_EXE, r), t.strLen(COL_EXE, r),
      t.strPtr(COL_CMD, r), t.strLen(COL_CMD, r),
      t.strPtr(COL_OWNER, r), t.strLen(COL_OWNER, r));
    if (hit < 0) {
      decide(r, ACTION_KEEP, defaultTier, defaultScore);
    } else {
      const rule = unchecked(rules[hit]);
      decide(r, ACTION_KEEP, rule.tier, rule.score);
    }
  }
}
