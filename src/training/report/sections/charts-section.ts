import { NEVER, type DecisionThresholds } from '../../thresholds';
import { formatFixed, formatPercent } from '../format';
import type { FeatureGain, ReportMetrics, TestSetPlots } from '../report-input';
import { renderBarChart } from '../svg/bar-chart';
import { renderHistogramChart, type ScoreMarker } from '../svg/histogram-chart';
import { renderLineChart } from '../svg/line-chart';

/** How many features the importance chart shows. */
export const TOP_FEATURES = 20;

/** ROC and PR curves of the test set, side by side. Never throws. */
export function renderCurvesSection(testSet: TestSetPlots, metrics: ReportMetrics): string {
  const baseRate = testSet.rows > 0 ? testSet.frauds / testSet.rows : Number.NaN;
  const roc = renderLineChart({
    title: 'ROC curve (test set)',
    xLabel: 'false-positive rate',
    yLabel: 'true-positive rate (recall)',
    legendAt: 'bottom-right',
    emptyNote: 'ROC undefined: the test set lacks a class',
    series: [
      { xs: [0, 1], ys: [0, 1], className: 'reference', label: 'random (AUC 0.5)' },
      { xs: testSet.roc.map((p) => p.fpr), ys: testSet.roc.map((p) => p.tpr), className: 'model', label: `model (AUC ${formatFixed(metrics.test.auc)})` },
    ],
  });
  const pr = renderLineChart({
    title: 'Precision–recall curve (test set)',
    xLabel: 'recall',
    yLabel: 'precision',
    legendAt: 'top-right',
    emptyNote: 'PR undefined: the test set has no fraud',
    series: [
      ...(Number.isFinite(baseRate)
        ? [{ xs: [0, 1], ys: [baseRate, baseRate], className: 'reference', label: `base rate (${formatPercent(baseRate)})` }]
        : []),
      { xs: testSet.pr.map((p) => p.recall), ys: testSet.pr.map((p) => p.precision), className: 'model', label: `model (AP ${formatFixed(metrics.test.ap)})` },
    ],
  });
  return (
    '<div class="grid2">' +
    `<section class="card"><h2>ROC curve</h2>${roc}</section>` +
    `<section class="card"><h2>Precision–recall curve</h2>${pr}</section>` +
    '</div>'
  );
}

/** Score histogram (with the thresholds marked) beside the top-20 feature importance bars. Never throws. */
export function renderDistributionSection(testSet: TestSetPlots, thresholds: DecisionThresholds, importance: readonly FeatureGain[]): string {
  const markers: ScoreMarker[] = [];
  if (thresholds.challenge < NEVER) markers.push({ score: thresholds.challenge, label: `challenge ≥ ${formatFixed(thresholds.challenge, 3)}`, className: 'marker-challenge' });
  if (thresholds.decline < NEVER) markers.push({ score: thresholds.decline, label: `decline ≥ ${formatFixed(thresholds.decline, 3)}`, className: 'marker-decline' });
  // Non-finite or negative gains count as 0, so the ordering below is total.
  const gain = (f: FeatureGain): number => (Number.isFinite(f.gain) && f.gain > 0 ? f.gain : 0);
  const total = importance.reduce((sum, f) => sum + gain(f), 0);
  const top = [...importance]
    .sort((a, b) => gain(b) - gain(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, TOP_FEATURES)
    .map((f) => ({ label: f.name, value: f.gain }));
  return (
    '<div class="grid2">' +
    `<section class="card"><h2>Score distribution (test set)</h2>${renderHistogramChart(testSet.histogram, markers)}</section>` +
    `<section class="card"><h2>Feature importance <span class="muted">top ${Math.min(TOP_FEATURES, importance.length)} of ${importance.length}, share of total gain</span></h2>` +
    `${renderBarChart('Feature importance (gain)', top, total)}</section>` +
    '</div>'
  );
}
