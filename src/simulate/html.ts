// A self-contained HTML page: data points and resources per interval, before and after.
import type { Report } from "./report.ts";

export function html(r: Report, title: string): string {
  const w = 720, h = 240, pad = 40;
  const max = Math.max(1, ...r.intervals.map((x) => x.pointsIn));
  const bw = (w - 2 * pad) / Math.max(1, r.intervals.length);
  const bar = (i: number, v: number, color: string, off: number) =>
    `<rect x="${(pad + i * bw + off).toFixed(1)}" y="${(h - pad - (v / max) * (h - 2 * pad)).toFixed(1)}" width="${(bw / 2 - 2).toFixed(1)}" height="${((v / max) * (h - 2 * pad)).toFixed(1)}" fill="${color}"><title>${v}</title></rect>`;
  const bars = r.intervals.map((x, i) => bar(i, x.pointsIn, "#bbb", 0) + bar(i, x.pointsOut, "#2a7", bw / 2)).join("");
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title>
<body style="font-family:sans-serif;max-width:${w}px">
<h1>${esc(title)}</h1>
<p>${r.pointsIn} data points recorded, ${r.pointsOut} out: <b>${(r.reduction * 100).toFixed(1)}% fewer</b>.
Totals error against the recording: CPU ${(r.totalsError.cpu * 100).toFixed(3)}%, memory ${(r.totalsError.memory * 100).toFixed(3)}%.
Series per process: ${r.seriesPerProcess.before.toFixed(2)} recorded, ${r.seriesPerProcess.after.toFixed(2)} out.
Critical processes kept: ${r.criticalKept}, dropped: ${r.criticalDropped ?? "unknown"}.</p>
<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>billing unit</th><th>recorded</th><th>out</th></tr>
${([["data points", "points"], ["bytes (OTLP protobuf, gzip)", "bytes"], ["active series", "series"]] as const).map(([label, k]) => `<tr><td>${label}</td><td>${r.cost.before[k]}</td><td>${r.cost.after[k]}</td></tr>`).join("\n")}
</table>
<svg width="${w}" height="${h}" role="img" aria-label="data points per interval, before (grey) and after (green)">
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#333"/>${bars}
<text x="${pad}" y="${pad - 10}" font-size="12">data points per interval: before (grey), after (green); max ${max}</text>
</svg>
<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>interval</th><th>resources in</th><th>resources out</th><th>points in</th><th>points out</th><th>CPU s recorded</th><th>CPU s out</th></tr>
${r.intervals.map((x, i) => `<tr><td>${i}</td><td>${x.resourcesIn}</td><td>${x.resourcesOut}</td><td>${x.pointsIn}</td><td>${x.pointsOut}</td><td>${x.cpu.recorded.toFixed(3)}</td><td>${x.cpu.output.toFixed(3)}</td></tr>`).join("\n")}
</table></body>
`;
}
