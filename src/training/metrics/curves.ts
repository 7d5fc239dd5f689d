import type { ThresholdCounts } from './threshold-counts';

/**
 * Exact ROC curve: point 0 is (0, 0) at threshold +Infinity ("flag nothing"), then one point per
 * distinct threshold in decreasing order, ending at (1, 1). Rates are fractions in [0, 1].
 * Empty (length 0) when either class is absent.
 */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  readonly thresholds: Float64Array;
}

/**
 * Exact precision–recall curve, scikit-learn's convention: point 0 is (recall 0, precision 1) at
 * threshold +Infinity, then one point per distinct threshold in decreasing order.
 * Empty (length 0) when there is no fraud row.
 */
export interface PrCurve {
  readonly recall: Float64Array;
  readonly precision: Float64Array;
  readonly thresholds: Float64Array;
}

/** The ROC curve of precomputed counts (see {@link RocCurve}). Never throws. */
export function rocCurveFromCounts(counts: ThresholdCounts): RocCurve {
  const { thresholds, truePositives: tp, falsePositives: fp, positives, negatives } = counts;
  if (positives === 0 || negatives === 0) {
    return { fpr: new Float64Array(0), tpr: new Float64Array(0), thresholds: new Float64Array(0) };
  }
  const m = thresholds.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const ts = new Float64Array(m);
  ts[0] = Number.POSITIVE_INFINITY;
  for (let k = 0; k < thresholds.length; k += 1) {
    fpr[k + 1] = (fp[k] as number) / negatives;
    tpr[k + 1] = (tp[k] as number) / positives;
    ts[k + 1] = thresholds[k] as number;
  }
  return { fpr, tpr, thresholds: ts };
}

/** The precision–recall curve of precomputed counts (see {@link PrCurve}). Never throws. */
export function prCurveFromCounts(counts: ThresholdCounts): PrCurve {
  const { thresholds, truePositives: tp, falsePositives: fp, positives } = counts;
  if (positives === 0) {
    return { recall: new Float64Array(0), precision: new Float64Array(0), thresholds: new Float64Array(0) };
  }
  const m = thresholds.length + 1;
  const recall = new Float64Array(m);
  const precision = new Float64Array(m);
  const ts = new Float64Array(m);
  precision[0] = 1;
  ts[0] = Number.POSITIVE_INFINITY;
  for (let k = 0; k < thresholds.length; k += 1) {
    const t = tp[k] as number;
    recall[k + 1] = t / positives;
    precision[k + 1] = t / (t + (fp[k] as number));
    ts[k + 1] = thresholds[k] as number;
  }
  return { recall, precision, thresholds: ts };
}
