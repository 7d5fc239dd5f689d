import { toXGBoostParams } from '../../../../src/training/xgboost';

describe('toXGBoostParams', () => {
  it('maps typed parameters to XGBoost names and strings, skipping undefined ones', () => {
    expect(toXGBoostParams({
      maxDepth: 6, eta: 0.05, subsample: 0.8, colsampleBytree: 0.7, minChildWeight: 1, lambda: 2,
      scalePosWeight: 12.5, nthread: 2, seed: 42, treeMethod: 'hist', maxBin: 256, gamma: undefined,
    })).toEqual([
      ['max_depth', '6'], ['eta', '0.05'], ['subsample', '0.8'], ['colsample_bytree', '0.7'], ['min_child_weight', '1'],
      ['lambda', '2'], ['scale_pos_weight', '12.5'], ['nthread', '2'], ['seed', '42'], ['tree_method', 'hist'],
      ['max_bin', '256'],
    ]);
  });

  it('returns nothing for no parameters', () => {
    expect(toXGBoostParams({})).toEqual([]);
  });

  it('rejects non-finite numbers and non-integers where XGBoost needs integers', () => {
    expect(() => toXGBoostParams({ eta: Number.NaN })).toThrow(new RangeError('XGBoost parameter eta must be a finite number, got NaN'));
    expect(() => toXGBoostParams({ maxBin: 255.5 })).toThrow(new RangeError('XGBoost parameter maxBin must be an integer, got 255.5'));
  });
});
