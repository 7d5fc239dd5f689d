import type { MetricSet } from '../metrics';

/**
 * The best XGBoost published by *Reproducible Machine Learning for Credit Card Fraud Detection*
 * (Le Borgne et al.) on its simulated data, which our simulator's default mode reproduces.
 * The book reports no recall at 1% FPR, hence NaN.
 */
export const HANDBOOK_XGBOOST: MetricSet = {
  auc: 0.869,
  ap: 0.687,
  cpAt100: 0.303,
  recallAt1pctFpr: Number.NaN,
};

/** Display names of the metrics, as the handbook's tables word them. */
export const METRIC_LABELS: Readonly<Record<keyof MetricSet, string>> = {
  auc: 'AUC ROC',
  ap: 'Average precision',
  cpAt100: 'Card Precision@100',
  recallAt1pctFpr: 'Recall at 1% FPR',
};
