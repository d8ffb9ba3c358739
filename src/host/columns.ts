// The module's column declaration (nrdot_columns): "attr <key>" and "metric <name> <reduction>".
/** Reduction is how a metric's data points in one resource become one number. */
export type Reduction = "sum" | "max" | "start_time" | "time";
const REDUCTIONS: readonly string[] = ["sum", "max", "start_time", "time"];

/** MetricColumn is one number column: a metric reduced to one value per row. */
export interface MetricColumn {
  name: string;
  reduction: Reduction;
}

/** Columns is a module's declaration: string columns (attrs) and number columns (metrics), in order. */
export interface Columns {
  attrs: string[];
  metrics: MetricColumn[];
}

/**
 * parseColumns reads the declaration nrdot_columns returns. An unknown line is an error naming
 * the line: the host refuses such a module.
 */
export function parseColumns(text: string): Columns {
  const cols: Columns = { attrs: [], metrics: [] };
  text.split("\n").forEach((line, i) => {
    if (line === "") return;
    const f = line.split(" ");
    if (f[0] === "attr" && f.length === 2 && f[1] !== "") cols.attrs.push(f[1]);
    else if (f[0] === "metric" && f.length === 3 && f[1] !== "") {
      if (!REDUCTIONS.includes(f[2])) {
        throw new Error(`column declaration line ${i + 1}: unknown reduction ${JSON.stringify(f[2])} (want sum, max, start_time or time)`);
      }
      cols.metrics.push({ name: f[1], reduction: f[2] as Reduction });
    } else {
      throw new Error(`column declaration line ${i + 1}: ${JSON.stringify(line)} is neither \`attr <key>\` nor \`metric <name> <reduction>\``);
    }
  });
  return cols;
}

/** metricKey is how a row names a reduced metric value: "process.cpu.time:sum". */
export function metricKey(c: MetricColumn): string {
  return `${c.name}:${c.reduction}`;
}
