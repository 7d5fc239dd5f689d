import { escapeHtml } from '../escape-html';
import { px } from '../format';

/** Chart canvas in SVG user units (≈ CSS px at 100% width) and its margins around the plot area. */
export interface PlotFrame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** A value → pixel mapping along one axis. */
export type Scale = (value: number) => number;

/** One axis tick: its value (in data units, before scaling) and its label text. */
export interface Tick {
  readonly value: number;
  readonly label: string;
}

/** The x-scale of a frame for the data interval [min, max]. */
export function xScale(frame: PlotFrame, min: number, max: number): Scale {
  const x0 = frame.left;
  const x1 = frame.width - frame.right;
  return (v) => x0 + ((v - min) / (max - min)) * (x1 - x0);
}

/** The y-scale of a frame for the data interval [min, max] (max at the top). */
export function yScale(frame: PlotFrame, min: number, max: number): Scale {
  const y0 = frame.height - frame.bottom;
  const y1 = frame.top;
  return (v) => y0 + ((v - min) / (max - min)) * (y1 - y0);
}

/** Ticks 0, 0.2, …, 1 for axes of fractions. */
export const UNIT_TICKS: readonly Tick[] = [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => ({ value: v, label: v.toFixed(1) }));

/** Axis labels and tick ticks for {@link renderAxes}; ticks are in data units. */
export interface AxesSpec {
  readonly x: Scale;
  readonly y: Scale;
  readonly xTicks: readonly Tick[];
  readonly yTicks: readonly Tick[];
  readonly xLabel: string;
  readonly yLabel: string;
}

/** Grid lines, tick labels, the plot border and both axis titles, as SVG markup (text escaped). */
export function renderAxes(frame: PlotFrame, axes: AxesSpec): string {
  const left = frame.left;
  const right = frame.width - frame.right;
  const top = frame.top;
  const bottom = frame.height - frame.bottom;
  const parts: string[] = [];
  for (const t of axes.xTicks) {
    const x = px(axes.x(t.value));
    parts.push(`<line class="grid" x1="${x}" y1="${px(top)}" x2="${x}" y2="${px(bottom)}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${px(bottom + 16)}" text-anchor="middle">${escapeHtml(t.label)}</text>`);
  }
  for (const t of axes.yTicks) {
    const y = px(axes.y(t.value));
    parts.push(`<line class="grid" x1="${px(left)}" y1="${y}" x2="${px(right)}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${px(left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(t.label)}</text>`);
  }
  parts.push(`<rect class="frame" x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}"/>`);
  parts.push(
    `<text class="axis-title" x="${px((left + right) / 2)}" y="${px(frame.height - 8)}" text-anchor="middle">${escapeHtml(axes.xLabel)}</text>`,
  );
  const midY = px((top + bottom) / 2);
  parts.push(
    `<text class="axis-title" x="14" y="${midY}" text-anchor="middle" transform="rotate(-90 14 ${midY})">${escapeHtml(axes.yLabel)}</text>`,
  );
  return parts.join('');
}

/** One legend entry: a swatch class (CSS) and its escaped label. */
export interface LegendEntry {
  readonly className: string;
  readonly label: string;
  /** 'line' draws a short stroke, 'box' a filled square. */
  readonly mark: 'line' | 'box';
}

/** A legend box `width` wide anchored at its top-left corner (x, y); each row is 18 units high. */
export function renderLegend(x: number, y: number, width: number, entries: readonly LegendEntry[]): string {
  const box = `<rect class="legend-bg" x="${px(x)}" y="${px(y)}" width="${px(width)}" height="${px(entries.length * 18 + 2)}" rx="4"/>`;
  const rows = entries.map((e, i) => {
    const cy = y + 10 + i * 18;
    const mark =
      e.mark === 'line'
        ? `<line class="swatch ${e.className}" x1="${px(x + 8)}" y1="${px(cy)}" x2="${px(x + 28)}" y2="${px(cy)}"/>`
        : `<rect class="swatch ${e.className}" x="${px(x + 12)}" y="${px(cy - 5)}" width="10" height="10"/>`;
    return `${mark}<text class="legend" x="${px(x + 34)}" y="${px(cy)}" dominant-baseline="middle">${escapeHtml(e.label)}</text>`;
  });
  return `<g>${box}${rows.join('')}</g>`;
}

/** Wraps chart markup in a responsive <svg> with an accessible title. */
export function svgDocument(frame: PlotFrame, title: string, body: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${frame.width} ${frame.height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${body}</svg>`
  );
}
