/** Model scores, one per transaction (any finite or infinite value; NaN is rejected). */
export type Scores = Float32Array | Float64Array;

/** Ground truth, one per transaction: 1 = fraud, 0 = legitimate. */
export type Labels = Uint8Array;

/**
 * Checks that `scores` and `labels` describe the same rows and are well formed.
 * Throws RangeError when the lengths differ, a score is NaN, or a label is neither 0 nor 1.
 */
export function assertBinaryScores(scores: Scores, labels: Labels): void {
  if (scores.length !== labels.length) {
    throw new RangeError(`scores and labels differ in length: ${scores.length} vs ${labels.length}`);
  }
  for (let i = 0; i < scores.length; i += 1) {
    if (Number.isNaN(scores[i])) throw new RangeError(`score at row ${i} is NaN`);
    if ((labels[i] as number) > 1) throw new RangeError(`label at row ${i} is ${labels[i]}, expected 0 or 1`);
  }
}
