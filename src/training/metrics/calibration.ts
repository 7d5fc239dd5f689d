import { assertBinaryScores, type Labels, type Scores } from './binary-scores';

/** One equal-width score bin of a reliability diagram. */
export interface CalibrationBin {
  /** [from, to) of the score; the last bin also holds 1. */
  readonly from: number;
  readonly to: number;
  readonly rows: number;
  readonly frauds: number;
  /** Mean score of the bin's rows (the predicted fraud rate); NaN when empty. */
  readonly meanScore: number;
  /** frauds / rows (the observed fraud rate); NaN when empty. */
  readonly fraudRate: number;
}

/** How well scores read as probabilities on a labelled set. */
export interface Calibration {
  readonly bins: readonly CalibrationBin[];
  /** Mean of (score − label)²: 0 is perfect; NaN for no rows. */
  readonly brier: number;
  readonly rows: number;
  readonly frauds: number;
}

/** Default number of reliability bins in the report. */
export const DEFAULT_CALIBRATION_BINS = 10;

/**
 * The reliability diagram's bins (`bins` equal-width bins over [0, 1]: mean predicted score
 * against the observed fraud rate) and the Brier score. Throws a RangeError when `bins` is not a
 * positive integer, a score lies outside [0, 1], or as {@link assertBinaryScores} does.
 */
export function calibration(scores: Scores, labels: Labels, bins = DEFAULT_CALIBRATION_BINS): Calibration {
  if (!(Number.isInteger(bins) && bins > 0)) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  assertBinaryScores(scores, labels);
  const rows = new Array<number>(bins).fill(0);
  const frauds = new Array<number>(bins).fill(0);
  const sums = new Array<number>(bins).fill(0);
  let squared = 0;
  let fraudTotal = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`score at row ${i} is ${s}, outside [0, 1]`);
    const y = labels[i] as number;
    const b = Math.min(bins - 1, Math.floor(s * bins));
    rows[b] = (rows[b] as number) + 1;
    frauds[b] = (frauds[b] as number) + y;
    sums[b] = (sums[b] as number) + s;
    squared += (s - y) * (s - y);
    fraudTotal += y;
  }
  return {
    bins: rows.map((n, b) => ({
      from: b / bins,
      to: (b + 1) / bins,
      rows: n,
      frauds: frauds[b] as number,
      meanScore: n === 0 ? Number.NaN : (sums[b] as number) / n,
      fraudRate: n === 0 ? Number.NaN : (frauds[b] as number) / n,
    })),
    brier: scores.length === 0 ? Number.NaN : squared / scores.length,
    rows: scores.length,
    frauds: fraudTotal,
  };
}
