import { escapeHtml } from '../escape-html';
import { formatPercent, px } from '../format';
import { svgDocument, type PlotFrame } from './plot-frame';

/** One horizontal bar: its label and its value (non-negative; others are drawn as zero). */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

const WIDTH = 600;
const LABEL_WIDTH = 210;
const VALUE_WIDTH = 64;
const ROW = 22;
const TOP = 8;
/** Longer labels are cut with an ellipsis; the full text stays in the bar's tooltip. */
const MAX_LABEL_CHARS = 30;

/**
 * Horizontal bars, longest first as given, each annotated with its share of `total` (e.g. the
 * gain of all features, shown ones or not). Labels are escaped. Never throws.
 */
export function renderBarChart(title: string, bars: readonly Bar[], total: number): string {
  const frame: PlotFrame = { width: WIDTH, height: TOP * 2 + Math.max(1, bars.length) * ROW, left: LABEL_WIDTH, right: VALUE_WIDTH, top: TOP, bottom: TOP };
  const longest = Math.max(0, ...bars.map((b) => clean(b.value)));
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const parts = bars.map((b, i) => {
    const value = clean(b.value);
    const cy = TOP + i * ROW + ROW / 2;
    const length = longest > 0 ? (value / longest) * span : 0;
    const label = b.label.length > MAX_LABEL_CHARS ? `${b.label.slice(0, MAX_LABEL_CHARS - 1)}…` : b.label;
    const share = total > 0 ? formatPercent(value / total, 1) : '';
    return (
      `<g><title>${escapeHtml(b.label)}: ${escapeHtml(String(b.value))}</title>` +
      `<text class="bar-label" x="${LABEL_WIDTH - 8}" y="${px(cy)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(label)}</text>` +
      `<rect class="bar-gain" x="${LABEL_WIDTH}" y="${px(cy - ROW / 2 + 3)}" width="${px(Math.max(length, 0.5))}" height="${ROW - 6}" rx="2"/>` +
      `<text class="bar-value" x="${px(LABEL_WIDTH + length + 6)}" y="${px(cy)}" dominant-baseline="middle">${share}</text></g>`
    );
  });
  if (bars.length === 0) {
    parts.push(`<text class="empty-note" x="${WIDTH / 2}" y="${TOP + ROW / 2}" text-anchor="middle">no feature importance recorded</text>`);
  }
  return svgDocument(frame, title, parts.join(''));
}

function clean(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
