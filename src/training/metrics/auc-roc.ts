import type { Labels, Scores } from './binary-scores';
import { thresholdCounts, type ThresholdCounts } from './threshold-counts';

/**
 * Area under the ROC curve from precomputed counts: the trapezoidal area under the points
 * (0,0), (FPR_k, TPR_k) over distinct thresholds. This equals the probability that a random
 * fraud row outscores a random legitimate row, a tied pair counting 1/2 (Mann–Whitney U / PN).
 * Returns NaN when either class is absent (including empty input). Never throws.
 */
export function aucRocFromCounts(counts: ThresholdCounts): number {
  const { truePositives: tp, falsePositives: fp, positives, negatives } = counts;
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Twice the area in count units; every term is an integer, so the sum is exact below 2^53.
  let twiceArea = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < tp.length; k += 1) {
    const t = tp[k] as number;
    const f = fp[k] as number;
    twiceArea += (f - prevFp) * (t + prevTp);
    prevTp = t;
    prevFp = f;
  }
  return twiceArea / (2 * positives * negatives);
}

/**
 * AUC ROC of `scores` against `labels` (ties count 1/2). NaN when a class is absent.
 * Throws RangeError on mismatched lengths, NaN scores or labels other than 0/1.
 */
export function aucRoc(scores: Scores, labels: Labels): number {
  return aucRocFromCounts(thresholdCounts(scores, labels));
}
