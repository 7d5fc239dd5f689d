import type { ScoreHistogram } from '../../metrics';
import { formatCount, formatPowerOfTen, px } from '../format';
import { renderAxes, renderLegend, svgDocument, xScale, yScale, type PlotFrame, type Tick } from './plot-frame';

/** A labelled vertical marker on the score axis, e.g. a decision threshold. */
export interface ScoreMarker {
  /** Score in [0, 1]; markers outside are not drawn. */
  readonly score: number;
  readonly label: string;
  readonly className: string;
}

const FRAME: PlotFrame = { width: 600, height: 420, left: 56, right: 16, top: 16, bottom: 48 };
/** Bars start below 1 so a bin holding a single transaction is still visible on the log axis. */
const FLOOR_EXPONENT = Math.log10(0.5);

/**
 * Per-class score histogram: two bars per bin (legitimate, fraud) on a log10 count axis, so the
 * rare class stays visible next to the common one; empty bins draw nothing. Optional markers
 * (thresholds) are drawn as dashed vertical lines. Never throws.
 */
export function renderHistogramChart(histogram: ScoreHistogram, markers: readonly ScoreMarker[] = []): string {
  const { bins, legitimate, fraud } = histogram;
  const maxCount = Math.max(1, ...legitimate, ...fraud);
  const topExponent = Math.max(1, Math.ceil(Math.log10(maxCount)));
  const x = xScale(FRAME, 0, 1);
  const y = yScale(FRAME, FLOOR_EXPONENT, topExponent);
  const yTicks: Tick[] = [];
  for (let e = 0; e <= topExponent; e += 1) yTicks.push({ value: e, label: formatPowerOfTen(e) });
  const xTicks: Tick[] = [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => ({ value: v, label: v.toFixed(1) }));
  const parts = [renderAxes(FRAME, { x, y, xTicks, yTicks, xLabel: 'score', yLabel: 'transactions (log scale)' })];

  const binWidth = (x(1) - x(0)) / bins;
  const barWidth = Math.max(1, binWidth / 2 - 0.5);
  const base = y(FLOOR_EXPONENT);
  const bar = (className: string, count: number, i: number, offset: number, label: string): string => {
    if (count <= 0) return '';
    const top = y(Math.log10(count));
    const from = (i / bins).toFixed(3);
    const to = ((i + 1) / bins).toFixed(3);
    return (
      `<rect class="${className}" x="${px(x(0) + i * binWidth + offset)}" y="${px(top)}" width="${px(barWidth)}" height="${px(base - top)}">` +
      `<title>${label} ${from}–${to}: ${formatCount(count)}</title></rect>`
    );
  };
  for (let i = 0; i < bins; i += 1) {
    parts.push(bar('bar-legit', legitimate[i] ?? 0, i, 0.25, 'legitimate'));
    parts.push(bar('bar-fraud', fraud[i] ?? 0, i, binWidth / 2, 'fraud'));
  }
  for (const m of markers) {
    if (!(m.score >= 0 && m.score <= 1)) continue;
    const mx = px(x(m.score));
    parts.push(`<line class="${m.className}" x1="${mx}" y1="${px(FRAME.top)}" x2="${mx}" y2="${px(base)}"/>`);
  }
  const total = (counts: readonly number[]): number => counts.reduce((a, b) => a + b, 0);
  const legend = [
    { className: 'bar-legit', label: `legitimate (${formatCount(total(legitimate))})`, mark: 'box' as const },
    { className: 'bar-fraud', label: `fraud (${formatCount(total(fraud))})`, mark: 'box' as const },
    ...markers
      .filter((m) => m.score >= 0 && m.score <= 1)
      .map((m) => ({ className: m.className, label: m.label, mark: 'line' as const })),
  ];
  const legendWidth = 230;
  parts.push(renderLegend(FRAME.width - FRAME.right - legendWidth - 8, FRAME.top + 8, legendWidth, legend));
  return svgDocument(FRAME, 'Score distribution per class', parts.join(''));
}
