import { assertBinaryScores, type Labels, type Scores } from './binary-scores';

/**
 * Per-class counts of scores in `bins` equal-width bins over [0, 1]. Bin i covers
 * [i/bins, (i+1)/bins), except the last, which also holds score 1. Plain arrays (JSON-friendly).
 */
export interface ScoreHistogram {
  readonly bins: number;
  readonly legitimate: readonly number[];
  readonly fraud: readonly number[];
}

/** Default number of histogram bins in the report. */
export const DEFAULT_HISTOGRAM_BINS = 40;

/**
 * Counts scores per class into {@link ScoreHistogram} bins over [0, 1].
 * Throws RangeError when `bins` is not a positive integer, a score lies outside [0, 1] (scores
 * must be probabilities), or as {@link assertBinaryScores} does.
 */
export function scoreHistogram(scores: Scores, labels: Labels, bins = DEFAULT_HISTOGRAM_BINS): ScoreHistogram {
  if (!(Number.isInteger(bins) && bins > 0)) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  assertBinaryScores(scores, labels);
  const legitimate = new Array<number>(bins).fill(0);
  const fraud = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i += 1) {
    const s = scores[i] as number;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`score at row ${i} is ${s}, outside [0, 1]`);
    const bin = Math.min(bins - 1, Math.floor(s * bins));
    const counts = labels[i] === 1 ? fraud : legitimate;
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { bins, legitimate, fraud };
}
