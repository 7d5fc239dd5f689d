import { thresholdCounts } from '../../../../src/training/metrics';

describe('thresholdCounts', () => {
  it('counts fraud and legitimate rows at or above each distinct score, highest first', () => {
    // score: 0.2  0.9  0.5  0.9  0.5  0.1
    // label:  0    1    1    0    0    1
    // t=0.9 → rows {0.9 (1), 0.9 (0)}         TP 1 FP 1
    // t=0.5 → adds {0.5 (1), 0.5 (0)}         TP 2 FP 2
    // t=0.2 → adds {0.2 (0)}                  TP 2 FP 3
    // t=0.1 → adds {0.1 (1)}                  TP 3 FP 3
    const c = thresholdCounts(Float64Array.of(0.2, 0.9, 0.5, 0.9, 0.5, 0.1), Uint8Array.of(0, 1, 1, 0, 0, 1));
    expect(Array.from(c.thresholds)).toEqual([0.9, 0.5, 0.2, 0.1]);
    expect(Array.from(c.truePositives)).toEqual([1, 2, 2, 3]);
    expect(Array.from(c.falsePositives)).toEqual([1, 2, 3, 3]);
    expect(c.positives).toBe(3);
    expect(c.negatives).toBe(3);
  });

  it('treats Float32 scores exactly (no rounding into false ties)', () => {
    const scores = Float32Array.of(0.1, 0.1 + 2 ** -26, 0.1);
    const c = thresholdCounts(scores, Uint8Array.of(1, 0, 0));
    expect(c.thresholds.length).toBe(2);
    expect(Array.from(c.falsePositives)).toEqual([1, 2]);
  });

  it('accepts infinite scores and merges -0 with +0', () => {
    const c = thresholdCounts(Float64Array.of(Infinity, -0, 0, -Infinity), Uint8Array.of(1, 1, 0, 0));
    expect(Array.from(c.thresholds)).toEqual([Infinity, 0, -Infinity]);
    expect(Array.from(c.truePositives)).toEqual([1, 2, 2]);
    expect(Array.from(c.falsePositives)).toEqual([0, 1, 2]);
  });

  it('returns empty arrays for empty input', () => {
    const c = thresholdCounts(new Float64Array(0), new Uint8Array(0));
    expect(c.thresholds.length).toBe(0);
    expect(c.positives).toBe(0);
    expect(c.negatives).toBe(0);
  });

  it('rejects mismatched lengths, NaN scores and labels other than 0/1', () => {
    expect(() => thresholdCounts(new Float64Array(2), new Uint8Array(3))).toThrow(new RangeError('scores and labels differ in length: 2 vs 3'));
    expect(() => thresholdCounts(Float64Array.of(0.1, NaN), Uint8Array.of(0, 1))).toThrow(new RangeError('score at row 1 is NaN'));
    expect(() => thresholdCounts(Float64Array.of(0.1), Uint8Array.of(2))).toThrow(new RangeError('label at row 0 is 2, expected 0 or 1'));
  });
});
