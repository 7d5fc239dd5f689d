import { scoreHistogram } from '../../../../src/training/metrics';

describe('scoreHistogram', () => {
  it('bins each class over [0, 1] in equal widths, score 1 in the last bin', () => {
    // 4 bins: [0, .25) [.25, .5) [.5, .75) [.75, 1]
    const h = scoreHistogram(Float64Array.of(0, 0.25, 0.3, 0.74, 0.99, 1, 0.5), Uint8Array.of(0, 0, 1, 0, 1, 1, 0), 4);
    expect(h).toEqual({ bins: 4, legitimate: [1, 1, 2, 0], fraud: [0, 1, 0, 2] });
  });

  it('defaults to 40 bins and gives zero counts for empty input', () => {
    const h = scoreHistogram(new Float64Array(0), new Uint8Array(0));
    expect(h.bins).toBe(40);
    expect(h.legitimate).toEqual(new Array(40).fill(0));
  });

  it('rejects scores outside [0, 1] and a bad bin count', () => {
    expect(() => scoreHistogram(Float64Array.of(1.5), Uint8Array.of(0))).toThrow(new RangeError('score at row 0 is 1.5, outside [0, 1]'));
    expect(() => scoreHistogram(Float64Array.of(0.5), Uint8Array.of(0), 0)).toThrow(new RangeError('bins must be a positive integer, got 0'));
  });
});
