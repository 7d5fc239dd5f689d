import {
  type Booster, type DMatrix, XGBoostCallError, XGBoostFreedError, toXGBoostParams,
} from '../../../../src/training/xgboost';
import { requireXGBoost } from './require-xgboost';
import { syntheticBinaryData } from './synthetic-binary-data';

const xgb = requireXGBoost('Booster');
const describeWithXGBoost = xgb ? describe : describe.skip;

describeWithXGBoost('Booster', () => {
  const ROUNDS = 12;
  const set = syntheticBinaryData({ rows: 2000, cols: 10, missingRate: 0.1, seed: 7 });
  let train: DMatrix;
  let booster: Booster;

  beforeAll(() => {
    train = xgb!.createDMatrix({ data: set.data, rows: set.rows, cols: set.cols, labels: set.labels });
    booster = xgb!.createBooster({
      cache: [train],
      params: [['objective', 'binary:logistic'], ['eval_metric', 'logloss'],
        ...toXGBoostParams({ maxDepth: 4, eta: 0.3, treeMethod: 'hist', nthread: 1, seed: 1 })],
    });
    for (let i = 0; i < ROUNDS; i++) booster.updateOneIter(i, train);
  });

  afterAll(() => {
    booster.free();
    train.free();
  });

  it('counts its rounds', () => {
    expect(booster.boostedRounds()).toBe(ROUNDS);
  });

  it('evaluates the configured metric as XGBoost prints it', () => {
    expect(booster.evalOneIter(ROUNDS - 1, [[train, 'train']])).toMatch(/^\[11\]\ttrain-logloss:0\.\d+$/);
  });

  it('predicts one probability per row, consistent with the margins', () => {
    const probabilities = booster.predict(train);
    const margins = booster.predict(train, { outputMargin: true });
    expect(probabilities).toHaveLength(set.rows);
    for (let i = 0; i < set.rows; i += 97) {
      expect(probabilities[i]).toBeGreaterThan(0);
      expect(probabilities[i]).toBeLessThan(1);
      expect(probabilities[i]).toBeCloseTo(1 / (1 + Math.exp(-(margins[i] ?? 0))), 6);
    }
  });

  it('returns a copy that the next prediction does not overwrite', () => {
    const first = booster.predict(train, { iterationEnd: 1 });
    const snapshot = Float32Array.from(first);
    booster.predict(train);
    expect(first).toEqual(snapshot);
  });

  it('slices rounds into an independent booster that predicts like iterationEnd', () => {
    const sliced = booster.slice(0, 5);
    try {
      expect(sliced.boostedRounds()).toBe(5);
      expect(sliced.predict(train)).toEqual(booster.predict(train, { iterationEnd: 5 }));
    } finally {
      sliced.free();
    }
  });

  it('refuses a slice beyond the trained rounds', () => {
    expect(() => booster.slice(0, ROUNDS + 5)).toThrow(
      new RangeError(`cannot slice rounds [0, ${ROUNDS + 5}) of a booster with ${ROUNDS} rounds`));
  });

  it('saves JSON that loads back into an identical model', () => {
    const json = booster.saveJson();
    const parsed = JSON.parse(json) as { learner: { gradient_booster: { model: { trees: unknown[] } } } };
    expect(parsed.learner.gradient_booster.model.trees).toHaveLength(ROUNDS);
    const restored = xgb!.loadBoosterJson(json);
    try {
      expect(restored.predict(train)).toEqual(booster.predict(train));
    } finally {
      restored.free();
    }
  });

  it('reports feature importance by feature name', () => {
    const gain = booster.featureScore('gain');
    expect(gain.size).toBeGreaterThan(2);
    for (const [name, score] of gain) {
      expect(name).toMatch(/^f\d+$/);
      expect(score).toBeGreaterThan(0);
    }
    expect(gain.has('f0')).toBe(true);
  });

  it('throws XGBoostCallError carrying XGBoost\'s own message', () => {
    const bad = xgb!.createBooster({ cache: [train], params: [['tree_method', 'no-such-method']] });
    try {
      let caught: unknown;
      try {
        bad.updateOneIter(0, train);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(XGBoostCallError);
      const error = caught as XGBoostCallError;
      expect(error.functionName).toBe('XGBoosterUpdateOneIter');
      expect(error.nativeMessage).toMatch(/no-such-method/);
      expect(error.message).not.toMatch(/Stack trace|\[bt\]/);
    } finally {
      bad.free();
    }
  });

  it('is safe to free twice and throws a JS error when used after free', () => {
    const other = booster.slice(0, 1);
    other.free();
    expect(() => other.free()).not.toThrow();
    other[Symbol.dispose]();
    expect(other.freed).toBe(true);
    expect(() => other.predict(train)).toThrow(new XGBoostFreedError('Booster', 'predict'));
    expect(() => other.saveJson()).toThrow('Booster has already been freed; cannot save');
  });

  it('refuses a freed DMatrix before reaching native code', () => {
    const matrix = xgb!.createDMatrix({ data: set.data, rows: set.rows, cols: set.cols });
    matrix.free();
    expect(() => booster.predict(matrix)).toThrow(new XGBoostFreedError('DMatrix', 'predict with a booster'));
  });
});
