import { binBounds, binLabel } from '../../../model/drift/drift-bins';
import type { BinnedReference, DriftReference } from '../../../model/drift/drift-reference';
import { escapeHtml } from '../escape-html';
import { formatCount, formatPercent, px } from '../format';
import { renderShareBarsChart } from '../svg/share-bars-chart';

const SPARK_WIDTH = 132;
const SPARK_HEIGHT = 26;

/** A reference's bins as chart bins (label and share). */
export function shareBins(r: BinnedReference): { label: string; reference: number }[] {
  return binBounds(r.edges).map((b, i) => ({ label: binLabel(b), reference: r.shares[i] ?? 0 }));
}

/** A feature's reference as a row of small bars (each with its bin and share as tooltip). */
function spark(name: string, r: BinnedReference): string {
  const bins = shareBins(r);
  const top = Math.max(1e-9, ...bins.map((b) => b.reference));
  const w = SPARK_WIDTH / bins.length;
  const bars = bins.map((b, i) => {
    const h = (b.reference / top) * (SPARK_HEIGHT - 2);
    const cls = i === bins.length - 1 ? 'bar-missing' : 'bar-reference';
    return `<rect class="${cls}" x="${px(i * w + 0.5)}" y="${px(SPARK_HEIGHT - h)}" width="${px(Math.max(1, w - 1))}" height="${px(h)}"><title>${escapeHtml(b.label)}: ${formatPercent(b.reference, 1)}</title></rect>`;
  });
  return `<svg class="spark" viewBox="0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}" width="${SPARK_WIDTH}" height="${SPARK_HEIGHT}" role="img" aria-label="${escapeHtml(name)} reference">${bars.join('')}</svg>`;
}

/**
 * The drift reference recorded in model.json: the score's bins (validation window) as a chart,
 * every feature's bins (training window) as small bars with their missing share. Never throws.
 */
export function renderDriftReferenceSection(d: DriftReference): string {
  const rows = Object.entries(d.features).map(([name, r]) => {
    const bins = shareBins(r);
    const missing = bins[bins.length - 1]?.reference ?? 0;
    return `<tr><th scope="row"><code>${escapeHtml(name)}</code></th><td class="num">${bins.length - 1}</td><td class="num">${formatPercent(missing, 1)}</td><td>${spark(name, r)}</td></tr>`;
  });
  const table = (part: readonly string[]) =>
    '<table class="compact"><thead><tr><th scope="col">Feature</th><th scope="col" class="num">Bins</th><th scope="col" class="num">Missing</th>' +
    `<th scope="col">Shares per bin (last: missing)</th></tr></thead><tbody>${part.join('')}</tbody></table>`;
  const half = Math.ceil(rows.length / 2);
  return (
    '<section class="card" id="drift-reference"><h2>Drift reference <span class="muted">recorded in model.json, compared with served traffic</span></h2>' +
    '<div class="two-tables"><div id="drift-score">' +
    renderShareBarsChart('Score reference distribution', shareBins(d.score)) +
    '</div><div><table class="kv prose"><tbody>' +
    `<tr><th scope="row">Score</th><td>the model's scores on the validation window (${formatCount(d.scoreRows)} rows), which it was not fitted on</td></tr>` +
    `<tr><th scope="row">Features</th><td>the served vectors of the training window (${formatCount(d.featureRows)} rows)</td></tr>` +
    '<tr><th scope="row">Bins</th><td>at most 10 per variable, at its deciles (one per value when it has at most 10), plus one for missing values</td></tr>' +
    '<tr><th scope="row">Compared by</th><td>the service (<code>fraud_score_psi</code>, <code>fraud_feature_psi</code>) and <code>fraudctl drift</code>: ' +
    'PSI over these bins, &gt; 0.2 a major shift (docs/drift.md)</td></tr>' +
    '</tbody></table></div></div>' +
    `<h3>Features</h3><div class="two-tables" id="drift-features">${table(rows.slice(0, half))}${table(rows.slice(half))}</div>` +
    '</section>'
  );
}
