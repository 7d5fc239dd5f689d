import { type DMatrix, type IterationRecord, trainBinary } from '../../../../src/training/xgboost';
import { requireXGBoost } from './require-xgboost';
import { syntheticBinaryData } from './synthetic-binary-data';

const xgb = requireXGBoost('trainBinary');
const describeWithXGBoost = xgb ? describe : describe.skip;

describeWithXGBoost('trainBinary', () => {
  let train: DMatrix;
  let valid: DMatrix;

  beforeAll(() => {
    // Small and noisy, so a deep, fast-learning model overfits and the validation score peaks early.
    const a = syntheticBinaryData({ rows: 1500, cols: 10, missingRate: 0.1, seed: 11, labelNoise: 0.2 });
    const b = syntheticBinaryData({ rows: 1500, cols: 10, missingRate: 0.1, seed: 12, labelNoise: 0.2 });
    train = xgb!.createDMatrix({ data: a.data, rows: a.rows, cols: a.cols, labels: a.labels });
    valid = xgb!.createDMatrix({ data: b.data, rows: b.rows, cols: b.cols, labels: b.labels });
  });

  afterAll(() => {
    train.free();
    valid.free();
  });

  it('early-stops on validation aucpr and returns the booster cut to the best round', () => {
    const seen: IterationRecord[] = [];
    const result = trainBinary(xgb!, {
      train, valid, rounds: 300, earlyStoppingRounds: 5,
      params: { maxDepth: 6, eta: 1, nthread: 1, seed: 3, minChildWeight: 0.1 },
      onIteration: (record) => seen.push(record),
    });
    try {
      expect(result.monitor).toBe('valid-aucpr');
      expect(result.stoppedEarly).toBe(true);
      expect(result.roundsTrained).toBe(result.bestIteration + 1 + 5);
      expect(result.roundsTrained).toBeLessThan(300);
      expect(result.history).toHaveLength(result.roundsTrained);
      expect(seen).toEqual(result.history);
      const scores = result.history.map((r) => r.scores['valid-aucpr'] ?? Number.NaN);
      expect(result.bestScore).toBe(Math.max(...scores));
      expect(scores.indexOf(result.bestScore)).toBe(result.bestIteration);
      expect(result.booster.boostedRounds()).toBe(result.bestIteration + 1);
      expect(result.params).toEqual(expect.arrayContaining([
        ['objective', 'binary:logistic'], ['eval_metric', 'aucpr'], ['tree_method', 'hist'], ['max_depth', '6'],
      ]));
    } finally {
      result.booster.free();
    }
  });

  it('minimises logloss when asked to, and records train scores with evalTrain', () => {
    const result = trainBinary(xgb!, {
      train, valid, rounds: 30, evalMetric: 'logloss', evalTrain: true,
      params: { maxDepth: 6, eta: 0.5, nthread: 1 },
    });
    try {
      const losses = result.history.map((r) => r.scores['valid-logloss'] ?? Number.NaN);
      expect(result.bestScore).toBe(Math.min(...losses));
      expect(result.stoppedEarly).toBe(false);
      expect(result.roundsTrained).toBe(30);
      expect(Object.keys(result.history[0]?.scores ?? {})).toEqual(['train-logloss', 'valid-logloss']);
    } finally {
      result.booster.free();
    }
  });

  it('keeps every round without a validation set', () => {
    const result = trainBinary(xgb!, { train, rounds: 5, params: { nthread: 1 } });
    try {
      expect(result.monitor).toBe('train-aucpr');
      expect(result.bestIteration).toBe(4);
      expect(result.booster.boostedRounds()).toBe(5);
    } finally {
      result.booster.free();
    }
  });

  it('rejects bad options before training', () => {
    expect(() => trainBinary(xgb!, { train, rounds: 0 })).toThrow(new RangeError('rounds must be a positive integer, got 0'));
    expect(() => trainBinary(xgb!, { train, rounds: 5, earlyStoppingRounds: 2 }))
      .toThrow(new RangeError('earlyStoppingRounds needs a validation set (valid)'));
    expect(() => trainBinary(xgb!, { train, rounds: 5, params: { maxDepth: 2.5 } }))
      .toThrow(new RangeError('XGBoost parameter maxDepth must be an integer, got 2.5'));
  });

  it('rethrows an onIteration error', () => {
    expect(() => trainBinary(xgb!, {
      train, valid, rounds: 5, params: { nthread: 1 },
      onIteration: () => {
        throw new Error('stop here');
      },
    })).toThrow('stop here');
  });
});
