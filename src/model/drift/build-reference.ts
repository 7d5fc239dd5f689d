import { MAX_BINS, referenceFrom, type BinnedReference, type DriftReference } from './drift-reference';

/** What a model's drift reference is computed from (see {@link buildDriftReference}). */
export interface DriftReferenceInput {
  /** Feature names in vector order (the spec's). */
  readonly featureNames: readonly string[];
  /**
   * The reference rows' feature vectors, row-major, `featureNames.length` per row: float32 as the
   * service serves them, NaN = missing. Our pipeline passes the training window.
   */
  readonly vectors: Float32Array;
  /**
   * The model's own scores on rows it did not fit (our pipeline: the validation window), so the
   * reference is the score distribution of unseen traffic, not the over-confident one of its
   * training rows.
   */
  readonly scores: ArrayLike<number>;
  readonly maxBins?: number;
}

/**
 * The drift reference of a model: every feature binned on the reference rows (quantile bins, or
 * one per value for few distinct values; NaN in the missing bin) and the score binned on the
 * score rows, with each bin's share (see `referenceFrom`). Pure. Throws a RangeError when
 * `vectors` is not a whole number of rows.
 */
export function buildDriftReference(input: DriftReferenceInput): DriftReference {
  const cols = input.featureNames.length;
  if (cols === 0 || input.vectors.length % cols !== 0) throw new RangeError(`${input.vectors.length} values are not rows of ${cols} features`);
  const rows = input.vectors.length / cols;
  const maxBins = input.maxBins ?? MAX_BINS;
  const column = new Float32Array(rows);
  const features: Record<string, BinnedReference> = {};
  input.featureNames.forEach((name, f) => {
    for (let r = 0; r < rows; r++) column[r] = input.vectors[r * cols + f] as number;
    features[name] = referenceFrom(column, maxBins);
  });
  return { version: 1, featureRows: rows, scoreRows: input.scores.length, features, score: referenceFrom(input.scores, maxBins) };
}
