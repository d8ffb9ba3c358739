// The module's column declaration (nrdot_columns): "attr <key>" and "metric <name> <reduction>".
export type Reduction = "sum" | "max" | "start_time" | "time";
const REDUCTIONS: readonly string[] = ["sum", "max", "start_time", "time"];

export interface MetricColumn {
  name: string;
  reduction: Reduction;
}

export interface Columns {
  attrs: string[];
  metrics: MetricColumn[];
}

export function parseColumns(text: string): Columns {
  const cols: Columns = { attrs: [], metrics: [] };
  text.split("\n").forEach((line, i) => {
    if (line === "") return;
    const f = line.split(" ");
    if (f[0] === "attr" && f.length === 2 && f[1] !== "") cols.attrs.push(f[1]);
    else if (f[0] === "metric" && f.length === 3 && f[1] !== "") {
      if (!REDUCTIONS.includes(f[2])) {
        throw new Error(`column declaration line ${i + 1}: unknown reduction "${f[2]}" (want sum, max, start_time or time)`);
      }
      cols.metrics.push({ name: f[1], reduction: f[2] as Reduction });
    } else {
      throw new Error(`column declaration line ${i + 1}: "${line}" is neither \`attr <key>\` nor \`metric <name> <reduction>\``);
    }
  });
  return cols;
}

/** metricKey is how a row names a reduced metric value: "process.cpu.time:sum". */
export function metricKey(c: MetricColumn): string {
  return `${c.name}:${c.reduction}`;
}
