import type { Calibration } from '../../metrics';
import { formatCount, formatFixed, formatPercent } from '../format';
import { renderReliabilityChart } from '../svg/reliability-chart';

/** The reliability diagram of the test set beside its bins and the Brier score. Never throws. */
export function renderCalibrationSection(c: Calibration): string {
  const rows = c.bins
    .map(
      (b) =>
        `<tr><th scope="row">${b.from.toFixed(1)}–${b.to.toFixed(1)}</th><td class="num">${formatCount(b.rows)}</td><td class="num">${formatCount(b.frauds)}</td>` +
        `<td class="num">${formatPercent(b.meanScore, 2)}</td><td class="num">${formatPercent(b.fraudRate, 2)}</td></tr>`,
    )
    .join('');
  return (
    '<div class="grid2">' +
    `<section class="card" id="calibration"><h2>Calibration <span class="muted">test set</span></h2>${renderReliabilityChart(c.bins, c.brier)}</section>` +
    '<section class="card"><h2>Reliability bins <span class="muted">score bins of width 0.1</span></h2>' +
    '<table><thead><tr><th scope="col">Score</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Fraud</th>' +
    `<th scope="col" class="num">Mean score</th><th scope="col" class="num">Fraud rate</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="note">Brier score ${formatFixed(c.brier, 5)} (mean squared gap between score and outcome; a model always answering the base rate ` +
    `${formatPercent(c.rows > 0 ? c.frauds / c.rows : Number.NaN)} would score ${formatFixed(c.rows > 0 ? (c.frauds / c.rows) * (1 - c.frauds / c.rows) : Number.NaN, 5)}). ` +
    'A point below the diagonal: fewer frauds than the scores claim.</p></section>' +
    '</div>'
  );
}
