import { METRIC_NAMES, type MetricSet } from '../../metrics';
import { escapeHtml } from '../escape-html';
import { formatCount, formatFixed, formatPercent, formatSigned, MISSING } from '../format';
import { HANDBOOK_XGBOOST, METRIC_LABELS } from '../handbook-baseline';
import type { ReportMetrics, TestSetPlots } from '../report-input';

/**
 * The metrics table: test metrics beside the handbook's published XGBoost and their difference,
 * then validation and prequential (mean ± std) columns when present. Never throws.
 */
export function renderMetricsSection(metrics: ReportMetrics, testSet: TestSetPlots): string {
  const { validation, prequential } = metrics;
  const head = [
    '<th scope="col">Metric</th>',
    '<th scope="col" class="num">Test</th>',
    '<th scope="col" class="num">Handbook XGBoost</th>',
    '<th scope="col" class="num">Δ vs handbook</th>',
    validation ? '<th scope="col" class="num">Validation</th>' : '',
    prequential ? `<th scope="col" class="num">Prequential (${prequential.folds} folds)</th>` : '',
  ].join('');
  const rows = METRIC_NAMES.map((name) => {
    const test = metrics.test[name];
    const book = HANDBOOK_XGBOOST[name];
    const delta = test - book;
    const tone = !Number.isFinite(delta) ? '' : delta >= 0 ? ' class="num better"' : ' class="num worse"';
    return (
      `<tr><th scope="row">${escapeHtml(METRIC_LABELS[name])}</th>` +
      `<td class="num strong">${formatFixed(test)}</td>` +
      `<td class="num">${formatFixed(book)}</td>` +
      `<td${tone || ' class="num"'}>${formatSigned(delta)}</td>` +
      (validation ? `<td class="num">${formatFixed(validation[name])}</td>` : '') +
      (prequential ? `<td class="num">${meanStd(prequential.mean, prequential.std, name)}</td>` : '') +
      '</tr>'
    );
  }).join('');
  const baseRate = testSet.rows > 0 ? testSet.frauds / testSet.rows : Number.NaN;
  return (
    '<section class="card"><h2>Quality</h2>' +
    `<table class="metrics"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="note">Test set: ${formatCount(testSet.rows)} transactions, ${formatCount(testSet.frauds)} fraudulent ` +
    `(base rate ${formatPercent(baseRate)}). Handbook: best XGBoost of <em>Reproducible Machine Learning for Credit ` +
    'Card Fraud Detection</em> (Le Borgne et al.) on the same simulated data; it publishes no recall at 1% FPR.</p>' +
    '</section>'
  );
}

function meanStd(mean: MetricSet, std: MetricSet, name: keyof MetricSet): string {
  const m = formatFixed(mean[name]);
  if (m === MISSING) return MISSING;
  const s = formatFixed(std[name]);
  return s === MISSING ? m : `${m} ± ${s}`;
}
