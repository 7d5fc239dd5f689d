import { METRIC_NAMES, type MetricSet } from './metric-set';

/** Mean and standard deviation of each metric over prequential folds. */
export interface FoldSummary {
  readonly folds: number;
  readonly mean: MetricSet;
  /** Sample standard deviation (n − 1 denominator, as pandas' `std()`); NaN with fewer than 2 folds. */
  readonly std: MetricSet;
}

/**
 * Summarises per-fold metrics as mean ± sample standard deviation, metric by metric.
 * A NaN in any fold makes that metric's mean and std NaN. Throws RangeError when `folds` is empty.
 */
export function summarizeFolds(folds: readonly MetricSet[]): FoldSummary {
  if (folds.length === 0) throw new RangeError('cannot summarise zero folds');
  const n = folds.length;
  const mean = {} as Record<keyof MetricSet, number>;
  const std = {} as Record<keyof MetricSet, number>;
  for (const name of METRIC_NAMES) {
    const values = folds.map((f) => f[name]);
    const m = values.reduce((a, b) => a + b, 0) / n;
    mean[name] = m;
    std[name] = n < 2 ? Number.NaN : Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
  }
  return { folds: n, mean, std };
}
