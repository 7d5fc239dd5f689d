import {
  aucRoc,
  averagePrecision,
  cardPrecisionAtK,
  evaluateScores,
  recallAtFpr,
  scoreHistogram,
} from '../../../../src/training/metrics';

describe('evaluateScores', () => {
  // 3,000 rows on 3 days, 400 cards, scores rounded to 0.01 (plenty of ties), ≈5% fraud.
  let s = 12345;
  const next = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
  const n = 3000;
  const labels = new Uint8Array(n).map(() => (next() < 0.05 ? 1 : 0));
  const scores = Float64Array.from(labels, (l) => Math.round(Math.min(1, next() * 0.7 + l * 0.3) * 100) / 100);
  const cardIds = Array.from({ length: n }, () => Math.floor(next() * 400));
  const days = Array.from({ length: n }, (_, i) => Math.floor(i / 1000));
  const evaluation = evaluateScores({ scores, labels, cardIds, days }, { maxCurvePoints: 50, histogramBins: 10 });

  it('gives the same numbers as the individual metric functions', () => {
    expect(evaluation.metrics).toEqual({
      auc: aucRoc(scores, labels),
      ap: averagePrecision(scores, labels),
      cpAt100: cardPrecisionAtK({ scores, labels, cardIds, days }, 100).mean,
      recallAt1pctFpr: recallAtFpr(scores, labels, 0.01),
    });
    expect(evaluation.histogram).toEqual(scoreHistogram(scores, labels, 10));
    expect(evaluation.rows).toBe(n);
    expect(evaluation.frauds).toBe(labels.reduce((a, b) => a + b, 0));
  });

  it('thins the plotted curves to the requested budget, from (0,0) to (1,1) for ROC', () => {
    expect(evaluation.roc.length).toBeLessThanOrEqual(50);
    expect(evaluation.roc[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(evaluation.roc[evaluation.roc.length - 1]).toEqual({ fpr: 1, tpr: 1 });
    expect(evaluation.pr.length).toBeLessThanOrEqual(50);
    expect(evaluation.pr[0]).toEqual({ recall: 0, precision: 1 });
  });
});
