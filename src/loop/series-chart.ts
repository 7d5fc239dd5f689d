import { escapeHtml } from '../training/report/escape-html';
import { px } from '../training/report/format';
import { renderAxes, renderLegend, svgDocument, xScale, yScale, type LegendEntry, type PlotFrame, type Tick } from '../training/report/svg/plot-frame';

/** One line of a series chart; a null value leaves a gap. */
export interface Series {
  readonly label: string;
  /** CSS class of its stroke and dots (the report styles define `model` and `reference`). */
  readonly className: string;
  readonly points: readonly (readonly [number, number | null])[];
}

export interface SeriesChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xTicks: readonly Tick[];
  /** The y axis runs from 0 to this. */
  readonly yMax: number;
  readonly yTicks: readonly Tick[];
  readonly series: readonly Series[];
}

/** The top margin holds the legend, above the plot, where it hides no point. */
const FRAME: PlotFrame = { width: 600, height: 380, left: 60, right: 16, top: 52, bottom: 48 };

/**
 * A chart of values over an ordered x (weeks, days): each series a polyline through its non-null
 * points, broken at nulls, with a dot on every point, and a legend above the plot. The x range is
 * that of `xTicks`. One <svg> element, all text escaped. Never throws.
 */
export function renderSeriesChart(spec: SeriesChartSpec): string {
  const xs = spec.xTicks.map((t) => t.value);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const x = xScale(FRAME, xMin, xMax === xMin ? xMin + 1 : xMax);
  const y = yScale(FRAME, 0, spec.yMax > 0 ? spec.yMax : 1);
  const parts = [renderAxes(FRAME, { x, y, xTicks: spec.xTicks, yTicks: spec.yTicks, xLabel: spec.xLabel, yLabel: spec.yLabel })];
  for (const s of spec.series) {
    let d = '';
    let open = false;
    const dots: string[] = [];
    for (const [vx, vy] of s.points) {
      if (vy === null || !Number.isFinite(vy)) {
        open = false;
        continue;
      }
      const cy = Math.min(vy, spec.yMax);
      d += `${open ? 'L' : 'M'}${px(x(vx))} ${px(y(cy))}`;
      open = true;
      dots.push(`<circle class="dot-${s.className}" cx="${px(x(vx))}" cy="${px(y(cy))}" r="3"><title>${escapeHtml(`${s.label}: ${vx} → ${vy}`)}</title></circle>`);
    }
    if (d !== '') parts.push(`<path class="${s.className}" d="${d}"/>`, ...dots);
  }
  const entries: LegendEntry[] = spec.series.map((s) => ({ className: s.className, label: s.label, mark: 'line' }));
  parts.push(renderLegend(FRAME.left, 4, 200, entries));
  return svgDocument(FRAME, spec.title, parts.join(''));
}

/** The smallest of 4, 8, 20, 40, 80, 200, … (four ticks of 1, 2 or 5 times a power of ten) at or above `max`. */
export function niceMax(max: number): number {
  for (let scale = 1; ; scale *= 10) for (const step of [1, 2, 5]) if (4 * step * scale >= max) return 4 * step * scale;
}

/** Ticks at 0, yMax/4, …, yMax labelled by `format`. */
export function evenTicks(yMax: number, format: (v: number) => string): Tick[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => ({ value: f * yMax, label: format(f * yMax) }));
}
