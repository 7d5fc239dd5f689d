import { escapeHtml } from '../escape-html';
import type { DateWindow, ReportLineage, SplitWindows } from '../report-input';

/** Versions, hashes, data windows and trainer parameters. All text escaped. Never throws. */
export function renderLineageSection(model: ReportLineage, windows: SplitWindows): string {
  const row = (label: string, value: string): string => `<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  const code = (text: string): string => `<code>${escapeHtml(text)}</code>`;
  const span = (w: DateWindow): string => `${escapeHtml(w.start)} → ${escapeHtml(w.end)}`;
  const params = Object.keys(model.params)
    .sort()
    .map((key) => row(escapeHtml(key), code(String(model.params[key]))))
    .join('');
  return (
    '<section class="card"><h2>Lineage</h2><div class="two-tables"><table class="kv"><tbody>' +
    row('Version', code(model.version)) +
    row('Created', escapeHtml(model.createdAt)) +
    row('Parent', model.parent === null ? '<span class="muted">none (first model)</span>' : code(model.parent)) +
    row('Trainer', escapeHtml(model.trainer)) +
    row('Feature spec hash', code(model.featureSpecHash)) +
    row('Dataset hash', code(model.datasetHash)) +
    row('Train window', span(windows.train)) +
    (windows.delayDays === undefined ? '' : row('Delay', `${windows.delayDays} days`)) +
    row('Validation window', span(windows.validation)) +
    row('Test window', span(windows.test)) +
    '</tbody></table>' +
    `<table class="kv params"><thead><tr><th scope="col" colspan="2">Trainer parameters</th></tr></thead><tbody>${
      params || row('—', '<span class="muted">defaults</span>')
    }</tbody></table></div></section>`
  );
}
