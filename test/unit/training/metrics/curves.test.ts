import {
  downsampleIndices,
  prCurveFromCounts,
  prPoints,
  rocCurveFromCounts,
  rocPoints,
  thresholdCounts,
} from '../../../../src/training/metrics';

// Example from scikit-learn's docs: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8].
// Distinct thresholds 0.8, 0.4, 0.35, 0.1 → (TP, FP) = (1,0), (1,1), (2,1), (2,2); P = N = 2.
const counts = thresholdCounts(Float64Array.of(0.1, 0.4, 0.35, 0.8), Uint8Array.of(0, 0, 1, 1));

describe('rocCurveFromCounts', () => {
  it('starts at (0,0) with threshold +Infinity and has one point per distinct score', () => {
    const roc = rocCurveFromCounts(counts);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(Array.from(roc.tpr)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(Array.from(roc.thresholds)).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
  });

  it('is empty when a class is absent', () => {
    expect(rocCurveFromCounts(thresholdCounts(Float64Array.of(0.2), Uint8Array.of(1))).fpr.length).toBe(0);
  });
});

describe('prCurveFromCounts', () => {
  it('starts at (recall 0, precision 1), as scikit-learn does', () => {
    const pr = prCurveFromCounts(counts);
    expect(Array.from(pr.recall)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(Array.from(pr.precision)).toEqual([1, 1, 0.5, 2 / 3, 0.5]);
    expect(Array.from(pr.thresholds)).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
  });

  it('is empty when there is no fraud', () => {
    expect(prCurveFromCounts(thresholdCounts(Float64Array.of(0.2), Uint8Array.of(0))).recall.length).toBe(0);
  });
});

describe('downsampling for plots', () => {
  it('keeps short curves whole', () => {
    expect(rocPoints(rocCurveFromCounts(counts))).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0.5, tpr: 0.5 },
      { fpr: 0.5, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(prPoints(prCurveFromCounts(counts))[3]).toEqual({ recall: 1, precision: 2 / 3 });
  });

  it('thins a long curve to the budget, keeping both ends and increasing order', () => {
    // A 10,001-point diagonal: path length 2, so 500 points are spaced ≈ 2/499 apart.
    const xs = Array.from({ length: 10_001 }, (_, i) => i / 10_000);
    const picked = downsampleIndices(xs, xs, 500);
    expect(picked.length).toBeLessThanOrEqual(500);
    expect(picked.length).toBeGreaterThan(450);
    expect(picked[0]).toBe(0);
    expect(picked[picked.length - 1]).toBe(10_000);
    for (let i = 1; i < picked.length; i += 1) expect(picked[i]).toBeGreaterThan(picked[i - 1] as number);
  });

  it('keeps the corners of a step-shaped curve within one step of path length', () => {
    // Vertical run to (0, 1) then horizontal to (1, 1), 2,001 points: the corner index 1000 is
    // at path length 1; the nearest kept point is within 2/(50−1) of it.
    const xs = Array.from({ length: 2001 }, (_, i) => (i <= 1000 ? 0 : (i - 1000) / 1000));
    const ys = Array.from({ length: 2001 }, (_, i) => (i <= 1000 ? i / 1000 : 1));
    const picked = downsampleIndices(xs, ys, 50);
    expect(picked.length).toBeLessThanOrEqual(50);
    const nearest = Math.min(...picked.map((i) => Math.abs(i - 1000)));
    expect(nearest).toBeLessThanOrEqual(Math.ceil(2000 / 49));
  });

  it('handles curves with no length and rejects a budget below 2', () => {
    expect(downsampleIndices([0, 0, 0, 0], [1, 1, 1, 1], 2)).toEqual([0, 3]);
    expect(downsampleIndices([], [], 10)).toEqual([]);
    expect(() => downsampleIndices([0], [0], 1)).toThrow(new RangeError('maxPoints must be an integer ≥ 2, got 1'));
    expect(() => downsampleIndices([0], [0, 1], 5)).toThrow(new RangeError('curve coordinates differ in length: 1 vs 2'));
  });
});
