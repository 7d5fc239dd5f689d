import type { CalibrationBin } from '../../metrics';
import { formatCount, formatPercent, px } from '../format';
import { renderAxes, renderLegend, svgDocument, UNIT_TICKS, xScale, yScale, type PlotFrame } from './plot-frame';

const FRAME: PlotFrame = { width: 600, height: 420, left: 56, right: 16, top: 16, bottom: 48 };

/**
 * The reliability diagram: for each non-empty score bin, the mean predicted score (x) against
 * the observed fraud rate (y), joined in score order, beside the diagonal of perfect calibration.
 * Each point's tooltip gives its bin, rows and frauds. Never throws.
 */
export function renderReliabilityChart(bins: readonly CalibrationBin[], brier: number): string {
  const x = xScale(FRAME, 0, 1);
  const y = yScale(FRAME, 0, 1);
  const parts = [renderAxes(FRAME, { x, y, xTicks: UNIT_TICKS, yTicks: UNIT_TICKS, xLabel: 'mean predicted score', yLabel: 'observed fraud rate' })];
  parts.push(`<path class="reference" d="M${px(x(0))} ${px(y(0))}L${px(x(1))} ${px(y(1))}"/>`);
  const drawn = bins.filter((b) => b.rows > 0 && Number.isFinite(b.meanScore) && Number.isFinite(b.fraudRate));
  if (drawn.length > 0) {
    parts.push(`<path class="model" d="${drawn.map((b, i) => `${i === 0 ? 'M' : 'L'}${px(x(b.meanScore))} ${px(y(b.fraudRate))}`).join('')}"/>`);
    for (const b of drawn) {
      parts.push(
        `<circle class="dot-model" cx="${px(x(b.meanScore))}" cy="${px(y(b.fraudRate))}" r="4">` +
          `<title>scores ${b.from.toFixed(2)}–${b.to.toFixed(2)}: ${formatCount(b.rows)} rows, ${formatCount(b.frauds)} fraud, ` +
          `predicted ${formatPercent(b.meanScore, 1)}, observed ${formatPercent(b.fraudRate, 1)}</title></circle>`,
      );
    }
  } else parts.push(`<text class="empty-note" x="${px(x(0.5))}" y="${px(y(0.5))}" text-anchor="middle">no scored rows</text>`);
  parts.push(
    renderLegend(FRAME.left + 10, FRAME.top + 8, 250, [
      { className: 'model', label: `model (Brier ${Number.isFinite(brier) ? brier.toFixed(4) : '—'})`, mark: 'line' },
      { className: 'reference', label: 'perfectly calibrated', mark: 'line' },
    ]),
  );
  return svgDocument(FRAME, 'Reliability diagram (test set)', parts.join(''));
}
