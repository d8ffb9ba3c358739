// The series names a PromQL expression reads: enough of PromQL for the rules file and the
// dashboard (strings, label matchers, ranges, grouping lists and function names are not names).

const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan", "atan2"]);

/** seriesNames returns the metric (and recorded series) names in expr. */
export function seriesNames(expr: string): Set<string> {
  let s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " "); // label lists
  // label_values(metric, label) (Grafana): the second argument is a label.
  s = s.replace(/\blabel_values\s*\(([^,)]*),[^)]*\)/g, "($1)");
  const out = new Set<string>();
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = m[0];
    const after = s.slice(m.index! + name.length).trimStart();
    if (after.startsWith("(")) continue; // a function
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name) || (m.index! > 0 && /[0-9.]/.test(s[m.index! - 1]))) continue; // 1e9, 5m
    if (name.startsWith("$")) continue;
    out.add(name);
  }
  return out;
}
