import { escapeHtml } from '../escape-html';
import { formatPercent, px } from '../format';
import { renderAxes, renderLegend, svgDocument, xScale, yScale, type LegendEntry, type PlotFrame, type Tick } from './plot-frame';

/** One bin: its label and the share of rows in it for the reference and (optionally) an observed window. */
export interface ShareBin {
  readonly label: string;
  /** Fractions in [0, 1]; non-finite values draw nothing. */
  readonly reference: number;
  readonly observed?: number;
}

const SHARE_STEPS = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25];
const FRAME: PlotFrame = { width: 600, height: 290, left: 48, right: 12, top: 44, bottom: 78 };

/**
 * Vertical bars of the share of rows per bin: the reference's (grey) beside the observed
 * window's (blue) when given, e.g. a feature's drift reference against served traffic. The share
 * axis goes up to the largest share (rounded up to a round step). Labels are escaped. Never throws.
 */
export function renderShareBarsChart(title: string, bins: readonly ShareBin[]): string {
  const withObserved = bins.some((b) => b.observed !== undefined);
  const finite = (v: number | undefined): number => (v !== undefined && Number.isFinite(v) && v > 0 ? v : 0);
  const largest = Math.max(0, ...bins.flatMap((b) => [finite(b.reference), finite(b.observed)]));
  // The smallest round step giving at most 5 gridlines above 0; the axis ends on a step.
  const step = SHARE_STEPS.find((st) => largest <= 5 * st) ?? 0.25;
  const top = Math.max(step, Math.ceil(largest / step - 1e-9) * step);
  const n = Math.max(1, bins.length);
  const x = xScale(FRAME, 0, n);
  const y = yScale(FRAME, 0, top);
  const yTicks: Tick[] = [];
  for (let k = 0; k * step <= top + 1e-9; k++) yTicks.push({ value: k * step, label: formatPercent(k * step, step < 0.01 ? 1 : 0) });
  const parts = [renderAxes(FRAME, { x, y, xTicks: [], yTicks, xLabel: '', yLabel: 'share of rows' })];
  const slot = x(1) - x(0);
  const barWidth = withObserved ? Math.max(1, slot * 0.38) : Math.max(1, slot * 0.6);
  const base = y(0);
  const bar = (className: string, share: number, left: number, label: string, what: string): string => {
    const v = finite(share);
    const h = base - y(v);
    return (
      `<rect class="${className}" x="${px(left)}" y="${px(base - h)}" width="${px(barWidth)}" height="${px(Math.max(h, 0))}">` +
      `<title>${escapeHtml(label)}: ${what} ${formatPercent(share, 1)}</title></rect>`
    );
  };
  bins.forEach((b, i) => {
    const x0 = x(i);
    if (withObserved) {
      parts.push(bar('bar-reference', b.reference, x0 + slot * 0.1, b.label, 'reference'));
      parts.push(bar('bar-observed', b.observed ?? Number.NaN, x0 + slot * 0.52, b.label, 'observed'));
    } else parts.push(bar('bar-reference', b.reference, x0 + slot * 0.2, b.label, 'reference'));
    const lx = px(x0 + slot / 2);
    const ly = px(base + 10);
    parts.push(`<text class="tick" x="${lx}" y="${ly}" text-anchor="end" transform="rotate(-35 ${lx} ${ly})">${escapeHtml(b.label)}</text>`);
  });
  const legend: LegendEntry[] = [{ className: 'bar-reference', label: 'reference', mark: 'box' }];
  if (withObserved) legend.push({ className: 'bar-observed', label: 'observed', mark: 'box' });
  // Above the plot area: the bars may reach its top.
  parts.push(renderLegend(FRAME.width - FRAME.right - 122, FRAME.top - 4 - legend.length * 18 - 2, 122, legend));
  return svgDocument(FRAME, title, parts.join(''));
}
