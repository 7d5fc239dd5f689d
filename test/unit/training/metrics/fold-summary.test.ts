import { summarizeFolds } from '../../../../src/training/metrics';

describe('summarizeFolds', () => {
  it('gives the mean and the sample standard deviation of each metric', () => {
    // auc 0.8, 0.9 → mean 0.85, sample std sqrt((0.05² + 0.05²) / 1) = 0.0707…
    const s = summarizeFolds([
      { auc: 0.8, ap: 0.5, cpAt100: 0.2, recallAt1pctFpr: 0.4 },
      { auc: 0.9, ap: 0.5, cpAt100: 0.3, recallAt1pctFpr: NaN },
    ]);
    expect(s.folds).toBe(2);
    expect(s.mean.auc).toBeCloseTo(0.85, 12);
    expect(s.std.auc).toBeCloseTo(Math.SQRT2 * 0.05, 12);
    expect(s.std.ap).toBe(0);
    expect(s.mean.recallAt1pctFpr).toBeNaN();
  });

  it('has NaN std for a single fold and rejects zero folds', () => {
    const s = summarizeFolds([{ auc: 0.8, ap: 0.5, cpAt100: 0.2, recallAt1pctFpr: 0.4 }]);
    expect(s.mean.auc).toBe(0.8);
    expect(s.std.auc).toBeNaN();
    expect(() => summarizeFolds([])).toThrow(new RangeError('cannot summarise zero folds'));
  });
});
