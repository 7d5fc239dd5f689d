import type { Labels, Scores } from './binary-scores';
import { thresholdCounts, type ThresholdCounts } from './threshold-counts';

/**
 * Average precision, scikit-learn's definition: AP = Σ_k (R_k − R_{k−1}) · P_k over distinct
 * thresholds in decreasing order (R_0 = 0), with P_k = TP_k / (TP_k + FP_k) and R_k = TP_k / P.
 * No interpolation; tied scores form one step. Range [0, 1].
 * Returns NaN when there is no fraud row (including empty input); 1 when every row is fraud.
 * Never throws.
 */
export function averagePrecisionFromCounts(counts: ThresholdCounts): number {
  const { truePositives: tp, falsePositives: fp, positives } = counts;
  if (positives === 0) return Number.NaN;
  let sum = 0;
  let prevTp = 0;
  for (let k = 0; k < tp.length; k += 1) {
    const t = tp[k] as number;
    if (t !== prevTp) sum += ((t - prevTp) * t) / (t + (fp[k] as number));
    prevTp = t;
  }
  return sum / positives;
}

/**
 * Average precision of `scores` against `labels` (see {@link averagePrecisionFromCounts}).
 * Throws RangeError on mismatched lengths, NaN scores or labels other than 0/1.
 */
export function averagePrecision(scores: Scores, labels: Labels): number {
  return averagePrecisionFromCounts(thresholdCounts(scores, labels));
}
