import type { Labels, Scores } from './binary-scores';
import { thresholdCounts, type ThresholdCounts } from './threshold-counts';

/**
 * The largest true-positive rate (recall) reachable by a rule "score ≥ t" whose false-positive
 * rate FP/N is ≤ `maxFpr`, over all distinct thresholds t (plus "flag nothing", which gives 0).
 * `maxFpr` is a fraction (0.01 = 1%). Returns NaN when either class is absent.
 * Throws RangeError when `maxFpr` is not within [0, 1].
 */
export function recallAtFprFromCounts(counts: ThresholdCounts, maxFpr = 0.01): number {
  if (!(maxFpr >= 0 && maxFpr <= 1)) throw new RangeError(`maxFpr must be within [0, 1], got ${maxFpr}`);
  const { truePositives: tp, falsePositives: fp, positives, negatives } = counts;
  if (positives === 0 || negatives === 0) return Number.NaN;
  // TP and FP both grow with k, so the best admissible threshold is the last one within budget.
  let best = 0;
  for (let k = 0; k < fp.length && (fp[k] as number) / negatives <= maxFpr; k += 1) {
    best = tp[k] as number;
  }
  return best / positives;
}

/**
 * Recall at a false-positive-rate budget (default 1%) of `scores` against `labels`.
 * Throws RangeError on a `maxFpr` outside [0, 1], mismatched lengths, NaN scores or bad labels.
 */
export function recallAtFpr(scores: Scores, labels: Labels, maxFpr = 0.01): number {
  return recallAtFprFromCounts(thresholdCounts(scores, labels), maxFpr);
}
