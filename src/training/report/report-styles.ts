/** The report's whole stylesheet, inlined in a <style> element: system fonts only, no URLs. */
export const REPORT_CSS = `
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f5f7fa; --card: #ffffff;
  --model: #2f6fde; --legit: #7b93b8; --fraud: #e0523d; --good: #1a7f37; --bad: #c0362c; --accent: #0b4f8a; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 40px; }
header.top { display: flex; justify-content: space-between; align-items: flex-end; gap: 24px;
  border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
header.top h1 { margin: 0; font-size: 26px; font-weight: 650; }
header.top h1 code { font-size: 24px; }
header.top p { margin: 4px 0 0; color: var(--muted); }
.badges { display: flex; gap: 10px; }
.badge { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; text-align: right; min-width: 104px; }
.badge span { display: block; font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.badge b { font-size: 20px; font-variant-numeric: tabular-nums; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px 16px; margin-bottom: 18px; min-width: 0; }
.card h2 { margin: 0 0 10px; font-size: 16px; font-weight: 650; }
.card h2 .muted { font-size: 12px; font-weight: 400; margin-left: 6px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
.grid2 > .card { margin-bottom: 18px; }
.two-tables { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; align-items: start; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
tbody th { font-weight: 500; }
.num { text-align: right; white-space: nowrap; }
.strong { font-weight: 700; }
.better { color: var(--good); }
.worse { color: var(--bad); }
.kv th { width: 48%; color: var(--muted); font-weight: 500; }
.kv td { word-break: break-all; }
.kv.params td { text-align: left; }
.kv.prose th { width: 24%; }
.kv.prose td { word-break: normal; }
code { font: 12.5px "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; background: #eef2f7; padding: 1px 4px; border-radius: 3px; }
.muted { color: var(--muted); }
.note, .rule { color: var(--muted); font-size: 12.5px; margin: 10px 0 0; }
.rule { margin: 0 0 10px; }
svg.chart { display: block; width: 100%; height: auto; }
svg .grid { stroke: #edf1f5; stroke-width: 1; }
svg .frame { fill: none; stroke: #9aa5b1; stroke-width: 1; }
svg text { font-family: inherit; fill: var(--ink); }
svg .tick { font-size: 11px; fill: var(--muted); }
svg .axis-title { font-size: 12px; fill: var(--muted); }
svg .legend { font-size: 12px; }
svg .legend-bg { fill: #ffffff; fill-opacity: .88; stroke: var(--line); }
svg .empty-note { font-size: 13px; fill: var(--muted); }
svg path.model, svg line.model { fill: none; stroke: var(--model); stroke-width: 2.2; stroke-linejoin: round; }
svg path.reference, svg line.reference { fill: none; stroke: #9aa5b1; stroke-width: 1.3; stroke-dasharray: 5 4; }
svg .bar-legit { fill: var(--legit); }
svg .bar-fraud { fill: var(--fraud); }
svg .marker-challenge { stroke: #d98e04; stroke-width: 1.6; stroke-dasharray: 6 3; }
svg .marker-decline { stroke: #7a1f14; stroke-width: 1.6; stroke-dasharray: 2 2; }
svg .bar-gain { fill: var(--model); fill-opacity: .85; }
svg .bar-reference { fill: #9aa5b1; }
svg .bar-observed { fill: var(--model); }
svg .bar-missing { fill: #cbd2d9; }
svg .dot-model { fill: var(--model); stroke: #ffffff; stroke-width: 1.2; }
svg.spark { display: block; }
.card h3 { margin: 14px 0 6px; font-size: 14px; font-weight: 650; }
table.compact th, table.compact td { padding: 3px 8px; }
tr.flag th, tr.flag td, .flag { color: var(--bad); font-weight: 650; }
svg .bar-label { font-size: 11.5px; }
svg .bar-value { font-size: 11px; fill: var(--muted); }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 8px; }
@media (max-width: 900px) { .grid2, .two-tables { grid-template-columns: 1fr; } header.top { flex-direction: column; align-items: flex-start; } }
@media print { body { background: #fff; } .card { break-inside: avoid; } }
`;
