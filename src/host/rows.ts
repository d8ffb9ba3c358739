// The row model shared by the golden vectors and the OTLP path: one resource as its attributes
// and its reduced metric values, laid out for the columns a module declares.
import { metricKey, type Columns } from "./columns.ts";
import { encodeTable, type TableData } from "./table.ts";

/** Row is one resource: attributes as strings, reduced metric values keyed "<metric name>:<reduction>". */
export interface Row {
  attrs: Record<string, string>;
  metrics: Record<string, number>;
}

/** rowsToTable picks the declared columns from rows: a missing attribute is "", a missing metric NaN. */
export function rowsToTable(cols: Columns, rows: readonly Row[]): TableData {
  return {
    rows: rows.length,
    numbers: cols.metrics.map((c) => {
      const key = metricKey(c);
      return Float64Array.from(rows, (row) => (Object.hasOwn(row.metrics, key) ? row.metrics[key] : NaN));
    }),
    strings: cols.attrs.map((key) => rows.map((row) => (Object.hasOwn(row.attrs, key) ? row.attrs[key] : ""))),
  };
}

/** encodeRows is the table nrdot_process reads for rows under the declared columns. */
export function encodeRows(cols: Columns, rows: readonly Row[]): Uint8Array {
  return encodeTable(rowsToTable(cols, rows));
}
