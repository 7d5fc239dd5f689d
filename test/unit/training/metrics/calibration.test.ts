import { calibration } from '../../../../src/training/metrics';

describe('calibration', () => {
  it('bins scores by width, with mean score and fraud rate per bin and the Brier score', () => {
    const scores = Float64Array.from([0.05, 0.05, 0.15, 0.95, 0.95, 1]);
    const labels = Uint8Array.from([0, 0, 1, 1, 0, 1]);
    const c = calibration(scores, labels, 10);
    expect(c.bins).toHaveLength(10);
    expect(c.bins[0]).toEqual({ from: 0, to: 0.1, rows: 2, frauds: 0, meanScore: 0.05, fraudRate: 0 });
    expect(c.bins[1]).toMatchObject({ rows: 1, frauds: 1, meanScore: 0.15, fraudRate: 1 });
    // Score 1 goes to the last bin.
    expect(c.bins[9]).toMatchObject({ from: 0.9, to: 1, rows: 3, frauds: 2 });
    expect(c.bins[9]!.meanScore).toBeCloseTo((0.95 + 0.95 + 1) / 3, 12);
    expect(c.bins[5]).toMatchObject({ rows: 0, frauds: 0 });
    expect(c.bins[5]!.meanScore).toBeNaN();
    const brier = (0.05 ** 2 * 2 + 0.85 ** 2 + 0.05 ** 2 + 0.95 ** 2 + 0) / 6;
    expect(c.brier).toBeCloseTo(brier, 12);
    expect([c.rows, c.frauds]).toEqual([6, 3]);
  });

  it('is perfect (Brier 0) for scores equal to the labels, NaN for no rows, and refuses non-probabilities', () => {
    expect(calibration(Float32Array.from([0, 1, 1]), Uint8Array.from([0, 1, 1])).brier).toBe(0);
    expect(calibration(new Float32Array(0), new Uint8Array(0)).brier).toBeNaN();
    expect(() => calibration(Float32Array.from([1.5]), Uint8Array.from([1]))).toThrow('score at row 0 is 1.5, outside [0, 1]');
    expect(() => calibration(Float32Array.from([0.5]), Uint8Array.from([1]), 0)).toThrow('bins must be a positive integer, got 0');
  });
});
