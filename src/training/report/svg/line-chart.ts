import { escapeHtml } from '../escape-html';
import { px } from '../format';
import { renderAxes, renderLegend, svgDocument, UNIT_TICKS, xScale, yScale, type LegendEntry, type PlotFrame } from './plot-frame';

/** A polyline in data units on the unit square. */
export interface LineSeries {
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  /** CSS class giving its stroke, e.g. "model" or "reference". */
  readonly className: string;
  readonly label: string;
}

/** A curve chart on [0, 1] × [0, 1] (ROC, PR). */
export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** Where the legend goes inside the plot area. */
  readonly legendAt: 'top-right' | 'bottom-right';
  /** Shown in the middle of the plot when no series has points (e.g. a class is absent). */
  readonly emptyNote: string;
}

const FRAME: PlotFrame = { width: 600, height: 420, left: 56, right: 16, top: 16, bottom: 48 };

/** Renders a curve chart as one <svg> element (all text escaped). Never throws. */
export function renderLineChart(spec: LineChartSpec): string {
  const x = xScale(FRAME, 0, 1);
  const y = yScale(FRAME, 0, 1);
  const parts = [renderAxes(FRAME, { x, y, xTicks: UNIT_TICKS, yTicks: UNIT_TICKS, xLabel: spec.xLabel, yLabel: spec.yLabel })];
  const drawn = spec.series.filter((s) => s.xs.length > 0);
  for (const s of drawn) {
    const d = s.xs.map((v, i) => `${i === 0 ? 'M' : 'L'}${px(x(v))} ${px(y(s.ys[i] as number))}`).join('');
    parts.push(`<path class="${s.className}" d="${d}"/>`);
  }
  if (!drawn.some((s) => s.className === 'model')) {
    parts.push(`<text class="empty-note" x="${px(x(0.5))}" y="${px(y(0.5))}" text-anchor="middle">${escapeHtml(spec.emptyNote)}</text>`);
  }
  const entries: LegendEntry[] = drawn.map((s) => ({ className: s.className, label: s.label, mark: 'line' }));
  const legendWidth = 230;
  const legendX = FRAME.width - FRAME.right - legendWidth - 8;
  const legendY = spec.legendAt === 'top-right' ? FRAME.top + 8 : FRAME.height - FRAME.bottom - 8 - (entries.length * 18 + 2);
  parts.push(renderLegend(legendX, legendY, legendWidth, entries));
  return svgDocument(FRAME, spec.title, parts.join(''));
}
