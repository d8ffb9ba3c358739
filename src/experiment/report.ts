// An experiment's result as text (the terminal), and as a self-contained HTML page that plots
// both arms over time (inline SVG).
import type { CriterionResult, Result, TimelinePoint } from "./analyze.ts";

const num = (x: number | null | undefined, d = 4) => (x === null || x === undefined || Number.isNaN(x) ? "-" : Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(d)) : x > 0 ? "+inf" : "-inf");

function criterionLine(c: CriterionResult): string {
  const head = `${c.outcome.toUpperCase().padEnd(12)} ${c.name} ${c.direction} ${c.threshold}: estimate ${num(c.estimate)}`;
  if (c.kind === "statistical" && !c.effect_size) return `${head}\n${" ".repeat(13)}${c.why}`;
  if (c.kind === "guarantee") return `${head} (worst unit; control ${num(c.control_estimate)}), ${c.violations}/${c.units} miss it, miss rate ${num(c.interval[0])}..${num(c.interval[1])}\n${" ".repeat(13)}${c.why}`;
  return `${head}, interval ${num(c.interval[0])}..${num(c.interval[1])}, p = ${num(c.p_value, 5)} (violated: ${num(c.p_value_violated, 5)})\n` +
    `${" ".repeat(13)}effect: ${c.effect_size!.difference_of} ${num(c.effect_size!.difference)}, rank-biserial ${num(c.effect_size!.rank_biserial, 3)}, dz ${num(c.effect_size!.cohen_dz, 2)}; ` +
    `power ${num(c.power, 3)} at +${c.power_margin} (detectable at min_power: +${num(c.detectable_margin)}); lag-1 autocorrelation ${num(c.autocorrelation, 2)}` +
    (c.warning ? `\n${" ".repeat(13)}warning: ${c.warning}` : "");
}

export function formatResult(r: Result): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(Math.abs(x) < 0.01 ? 2 : 1)}%` : "-");
  const lines = [
    `hypothesis: ${r.hypothesis}`,
    `control:    ${r.control}`,
    `treatment:  ${r.treatment}`,
    `units:      ${r.units} (host × interval) from ${r.inputs} recording(s), ${r.blocks} blocks; alpha ${r.alpha}, intervals at ${(100 * (1 - 2 * r.alpha)).toFixed(0)}%`,
    "",
    ...(r.metrics.includes("cost") ? [
      "cost              recorded    control  treatment  reduction (interval)",
      ...(["points", "bytes", "series"] as const).map((u) => `  ${u.padEnd(14)} ${String(r.cost[u].recorded).padStart(10)} ${String(r.cost[u].control).padStart(10)} ${String(r.cost[u].treatment).padStart(10)}  ${pct(r.cost[u].reduction)} (${pct(r.cost[u].interval[0])}..${pct(r.cost[u].interval[1])})`),
      ""] : []),
    "accuracy              control  treatment",
    ...(r.metrics.includes("totals_error") ? [`  worst totals error  ${num(r.arms.control.worst_totals_error, 6).padStart(9)} ${num(r.arms.treatment.worst_totals_error, 6).padStart(10)}`] : []),
    ...(r.metrics.includes("top_recall") ? [`  top-N recall        ${num(r.arms.control.top_recall).padStart(9)} ${num(r.arms.treatment.top_recall).padStart(10)}`] : []),
    ...(r.metrics.includes("critical_recall") ? [`  critical recall     ${num(r.arms.control.critical_recall).padStart(9)} ${num(r.arms.treatment.critical_recall).padStart(10)}`] : []),
    ...(r.metrics.includes("hog_latency") ? [`  new hogs: kept after (mean/max intervals), never kept: control ${num(r.arms.control.hog_latency_mean, 2)}/${num(r.arms.control.hog_latency_max)}, ${r.arms.control.hogs_never_kept}; treatment ${num(r.arms.treatment.hog_latency_mean, 2)}/${num(r.arms.treatment.hog_latency_max)}, ${r.arms.treatment.hogs_never_kept} (of ${r.arms.control.hogs})`] : []),
    "",
    "criteria",
    ...Object.values(r.criteria).map((c) => "  " + criterionLine(c).replace(/\n/g, "\n  ")),
    "",
    `verdict: ${r.verdict.toUpperCase()}`,
    ...r.reasons.map((x) => `  - ${x}`),
  ];
  return lines.join("\n") + "\n";
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const COLORS = { recorded: "#999", control: "#3367d6", treatment: "#1e9e5a" };

/** chart is an SVG line chart of series over the timeline's intervals. */
function chart(title: string, t: readonly TimelinePoint[], series: { name: keyof typeof COLORS; values: (number | null)[] }[], fmt: (x: number) => string, threshold?: number): string {
  const w = 900, h = 220, l = 70, r = 20, top = 28, bottom = 30;
  const all = [...series.flatMap((s) => s.values.filter((v): v is number => v !== null)), ...(threshold !== undefined ? [threshold] : [])];
  let lo = Math.min(0, ...all), hi = Math.max(...all, 0);
  if (hi === lo) hi = lo + 1;
  const x = (i: number) => l + (t.length <= 1 ? 0 : (i * (w - l - r)) / (t.length - 1));
  const y = (v: number) => top + (h - top - bottom) * (1 - (v - lo) / (hi - lo));
  const lines = series.map((s) => {
    const pts = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter((p) => p !== null);
    const dots = s.values.map((v, i) => (v === null ? "" : `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${COLORS[s.name]}"><title>${s.name}, interval ${t[i].interval}: ${fmt(v)}</title></circle>`)).join("");
    return `<polyline fill="none" stroke="${COLORS[s.name]}" stroke-width="2" points="${pts.join(" ")}"/>${dots}`;
  }).join("");
  const ticks = [lo, (lo + hi) / 2, hi].map((v) => `<text x="${l - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${esc(fmt(v))}</text><line x1="${l}" x2="${w - r}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`).join("");
  const xt = t.map((p, i) => (t.length <= 20 || i % Math.ceil(t.length / 20) === 0 ? `<text x="${x(i)}" y="${h - 10}" font-size="11" text-anchor="middle">${p.interval}</text>` : "")).join("");
  const legend = series.map((s, i) => `<rect x="${l + i * 120}" y="8" width="12" height="12" fill="${COLORS[s.name]}"/><text x="${l + i * 120 + 16}" y="18" font-size="12">${s.name}</text>`).join("");
  const limit = threshold === undefined ? "" : `<line x1="${l}" x2="${w - r}" y1="${y(threshold)}" y2="${y(threshold)}" stroke="#c5221f" stroke-dasharray="6 4"/><text x="${w - r}" y="${y(threshold) + 13}" font-size="11" text-anchor="end" fill="#c5221f">criterion ${threshold}</text>`;
  return `<h3>${esc(title)}</h3><svg width="${w}" height="${h}" role="img" aria-label="${esc(title)}">${ticks}${limit}${lines}${xt}${legend}</svg>`;
}

export function html(r: Result, title: string): string {
  const t = r.timeline;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const badge = { pass: "#1e9e5a", fail: "#c5221f", inconclusive: "#e37400" }[r.verdict];
  const rows = Object.values(r.criteria).map((c) => `<tr><td>${c.name}</td><td>${c.direction} ${c.threshold}</td><td>${num(c.estimate)}</td><td>${num(c.interval[0])} .. ${num(c.interval[1])}<br><small>${esc(c.interval_of)}</small></td><td>${c.kind === "statistical" ? `${num(c.p_value, 5)} / ${num(c.p_value_violated, 5)}` : `${c.violations}/${c.units} miss`}</td><td>${c.kind === "statistical" && c.effect_size ? `rank-biserial ${num(c.effect_size.rank_biserial, 3)}<br>power ${num(c.power, 3)} at +${c.power_margin}` : `control ${num(c.control_estimate)}`}</td><td style="color:${{ pass: "#1e9e5a", fail: "#c5221f", inconclusive: "#e37400" }[c.outcome]}"><b>${c.outcome}</b></td></tr>`).join("\n");
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title>
<body style="font-family:sans-serif;max-width:960px;margin:auto">
<h1>${esc(title)}</h1>
<p><i>${esc(r.hypothesis)}</i></p>
<p>control <code>${esc(r.control)}</code> vs treatment <code>${esc(r.treatment)}</code>: ${r.units} units (host × interval) from ${r.inputs} recording(s), ${r.blocks} blocks.</p>
<p style="font-size:1.4em">verdict: <b style="color:${badge}">${r.verdict.toUpperCase()}</b></p>
<ul>${r.reasons.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>
<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>criterion</th><th>threshold</th><th>estimate</th><th>interval (${(100 * (1 - 2 * r.alpha)).toFixed(0)}%)</th><th>p (met / violated)</th><th>effect, power</th><th>outcome</th></tr>
${rows}</table>
<table border="1" cellpadding="4" style="border-collapse:collapse;margin-top:1em"><tr><th>cost</th><th>recorded</th><th>control</th><th>treatment</th><th>reduction</th></tr>
${(["points", "bytes", "series"] as const).map((u) => `<tr><td>${u}</td><td>${r.cost[u].recorded}</td><td>${r.cost[u].control}</td><td>${r.cost[u].treatment}</td><td>${pct(r.cost[u].reduction)}</td></tr>`).join("\n")}</table>
${chart("data points per interval (all hosts)", t, [{ name: "recorded", values: t.map((p) => p.recorded) }, { name: "control", values: t.map((p) => p.points.control) }, { name: "treatment", values: t.map((p) => p.points.treatment) }], (x) => x.toFixed(0))}
${chart("data points per interval, the two arms", t, [{ name: "control", values: t.map((p) => p.points.control) }, { name: "treatment", values: t.map((p) => p.points.treatment) }], (x) => x.toFixed(0))}
${chart(`recall of the true top-N by CPU and memory`, t, [{ name: "control", values: t.map((p) => p.top_recall.control) }, { name: "treatment", values: t.map((p) => p.top_recall.treatment) }], (x) => x.toFixed(2), r.criteria.min_top_recall?.threshold)}
${chart("worst totals error (CPU or memory, per host)", t, [{ name: "control", values: t.map((p) => p.totals_error.control) }, { name: "treatment", values: t.map((p) => p.totals_error.treatment) }], (x) => x.toExponential(1), r.criteria.max_totals_error?.threshold)}
</body>
`;
}
