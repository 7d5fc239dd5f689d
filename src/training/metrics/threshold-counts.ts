import { assertBinaryScores, type Labels, type Scores } from './binary-scores';
import { sortFloats } from './radix-sort';

/**
 * Confusion counts at every distinct score, the one sorted pass all ranking metrics derive from.
 * Entry `k` describes the rule "flag when score ≥ thresholds[k]": thresholds are the distinct
 * scores in strictly decreasing order, and truePositives[k] / falsePositives[k] count the
 * fraud / legitimate rows with score ≥ thresholds[k] (so both are non-decreasing in k and the last
 * entry equals `positives` / `negatives`). Tied scores form a single entry.
 */
export interface ThresholdCounts {
  readonly thresholds: Float64Array;
  readonly truePositives: Uint32Array;
  readonly falsePositives: Uint32Array;
  /** Number of rows labelled 1. */
  readonly positives: number;
  /** Number of rows labelled 0. */
  readonly negatives: number;
}

/**
 * Builds {@link ThresholdCounts} in O(n): the scores of each class are copied out, radix-sorted
 * and merged from the top.
 * Empty input gives empty arrays and zero totals.
 * Throws RangeError as {@link assertBinaryScores} does.
 */
export function thresholdCounts(scores: Scores, labels: Labels): ThresholdCounts {
  assertBinaryScores(scores, labels);
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i += 1) positives += labels[i] as number;
  const negatives = n - positives;

  // Same element type as the input: Float32 scores sort in half the passes, and are exact either way.
  const pos = scores.BYTES_PER_ELEMENT === 4 ? new Float32Array(positives) : new Float64Array(positives);
  const neg = scores.BYTES_PER_ELEMENT === 4 ? new Float32Array(negatives) : new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < n; i += 1) {
    if (labels[i] === 1) pos[p++] = scores[i] as number;
    else neg[q++] = scores[i] as number;
  }
  sortFloats(pos);
  sortFloats(neg);

  const thresholds = new Float64Array(n);
  const tps = new Uint32Array(n);
  const fps = new Uint32Array(n);
  let i = positives - 1;
  let j = negatives - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (i >= 0 || j >= 0) {
    const a = i >= 0 ? (pos[i] as number) : Number.NEGATIVE_INFINITY;
    const b = j >= 0 ? (neg[j] as number) : Number.NEGATIVE_INFINITY;
    const t = a > b ? a : b;
    while (i >= 0 && pos[i] === t) { tp += 1; i -= 1; }
    while (j >= 0 && neg[j] === t) { fp += 1; j -= 1; }
    thresholds[k] = t;
    tps[k] = tp;
    fps[k] = fp;
    k += 1;
  }
  return {
    thresholds: thresholds.slice(0, k),
    truePositives: tps.slice(0, k),
    falsePositives: fps.slice(0, k),
    positives,
    negatives,
  };
}
