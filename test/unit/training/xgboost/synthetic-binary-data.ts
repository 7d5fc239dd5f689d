import { seededRandom as prng } from '../../../support/seeded-random';

/** A deterministic synthetic binary-classification matrix where missingness carries signal. */
export interface SyntheticBinaryData {
  readonly data: Float32Array;
  readonly labels: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

export interface SyntheticOptions {
  readonly rows: number;
  /** At least 8 columns. */
  readonly cols: number;
  /** Probability that any one cell is NaN. */
  readonly missingRate: number;
  readonly seed: number;
  /** Probability a label is flipped at random (noise). */
  readonly labelNoise?: number;
}


/**
 * Rows of standard-normal-ish features with NaNs scattered at `missingRate`; the label's log-odds
 * depend on several features, an interaction, and on whether features 3 and 7 are missing, so a
 * model must route missing values correctly to score well. About 15–25 % positives.
 */
export function syntheticBinaryData(options: SyntheticOptions): SyntheticBinaryData {
  const { rows, cols, missingRate, seed } = options;
  if (cols < 8) throw new RangeError('syntheticBinaryData needs at least 8 columns');
  const random = prng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const data = new Float32Array(rows * cols);
  const labels = new Float32Array(rows);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      row[c] = random() < missingRate ? Number.NaN : normal();
      data[r * cols + c] = row[c] ?? Number.NaN;
    }
    const v = (c: number): number => (Number.isNaN(row[c] ?? Number.NaN) ? 0 : (row[c] ?? 0));
    const missing = (c: number): number => (Number.isNaN(row[c] ?? Number.NaN) ? 1 : 0);
    const logit = -2.4 + 1.3 * v(0) - 0.9 * v(1) + 0.8 * v(2) * v(4) + 0.7 * Math.abs(v(5))
      + 2.2 * missing(3) - 1.6 * missing(7) + 0.9 * v(3) * (1 - missing(3)) + 0.5 * Math.sin(3 * v(6));
    let label = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    if (options.labelNoise !== undefined && random() < options.labelNoise) label = 1 - label;
    labels[r] = label;
  }
  return { data, labels, rows, cols };
}

/** Number of rows with at least one NaN. */
export function rowsWithMissing(data: SyntheticBinaryData): number {
  let count = 0;
  for (let r = 0; r < data.rows; r++) {
    for (let c = 0; c < data.cols; c++) {
      if (Number.isNaN(data.data[r * data.cols + c] ?? 0)) {
        count++;
        break;
      }
    }
  }
  return count;
}
