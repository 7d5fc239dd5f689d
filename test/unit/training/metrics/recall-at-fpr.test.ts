import { recallAtFpr } from '../../../../src/training/metrics';

// Ranked (score desc): F L F F L L F L — 4 frauds, 4 legit.
//   after rank 1: TP1 FP0 (FPR 0)      after rank 4: TP3 FP1 (FPR .25)
//   after rank 6: TP3 FP3 (FPR .75)    after rank 7: TP4 FP3 (FPR .75)
const scores = Float64Array.of(0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1);
const labels = Uint8Array.of(1, 0, 1, 1, 0, 0, 1, 0);

describe('recallAtFpr', () => {
  it('returns the best recall whose false-positive rate stays within the budget', () => {
    expect(recallAtFpr(scores, labels, 0)).toBe(0.25);
    expect(recallAtFpr(scores, labels, 0.2)).toBe(0.25);
    expect(recallAtFpr(scores, labels, 0.25)).toBe(0.75);
    expect(recallAtFpr(scores, labels, 0.5)).toBe(0.75);
    expect(recallAtFpr(scores, labels, 0.75)).toBe(1);
    expect(recallAtFpr(scores, labels, 1)).toBe(1);
  });

  it('defaults to a 1% budget', () => {
    // 100 legit at 0.5, one fraud above them, one fraud below: at FPR ≤ 1% only the top fraud is caught.
    const s = Float64Array.from([0.9, 0.1, ...new Array<number>(100).fill(0.5)]);
    const l = Uint8Array.from([1, 1, ...new Array<number>(100).fill(0)]);
    expect(recallAtFpr(s, l)).toBe(0.5);
  });

  it('cannot split a group of tied scores', () => {
    // The only threshold catching the fraud also flags the tied legit row (FPR 1).
    expect(recallAtFpr(Float64Array.of(0.9, 0.9, 0.1), Uint8Array.of(1, 0, 1), 0.5)).toBe(0);
  });

  it('is NaN when a class is absent, and rejects a budget outside [0, 1]', () => {
    expect(recallAtFpr(Float64Array.of(0.5), Uint8Array.of(1))).toBeNaN();
    expect(recallAtFpr(Float64Array.of(0.5), Uint8Array.of(0))).toBeNaN();
    expect(() => recallAtFpr(scores, labels, 1.5)).toThrow(new RangeError('maxFpr must be within [0, 1], got 1.5'));
    expect(() => recallAtFpr(scores, labels, NaN)).toThrow(RangeError);
  });
});
