/**
 * The headline quality numbers of one evaluation, all fractions in [0, 1] (NaN when undefined,
 * e.g. a class is absent). Names follow the handbook's table.
 */
export interface MetricSet {
  /** Area under the ROC curve. */
  readonly auc: number;
  /** Average precision (scikit-learn definition). */
  readonly ap: number;
  /** Card Precision@100, mean over test days. */
  readonly cpAt100: number;
  /** Largest recall with a false-positive rate ≤ 1%. */
  readonly recallAt1pctFpr: number;
}

/** The metric names, in display order. */
export const METRIC_NAMES: readonly (keyof MetricSet)[] = ['auc', 'ap', 'cpAt100', 'recallAt1pctFpr'];
