import { withDMatrix, XGBoostFreedError } from '../../../../src/training/xgboost';
import { requireXGBoost } from './require-xgboost';

const xgb = requireXGBoost('DMatrix');
const describeWithXGBoost = xgb ? describe : describe.skip;

describeWithXGBoost('DMatrix', () => {
  const data = new Float32Array([1, 2, Number.NaN, 4, 5, 6]);

  it('rejects data whose length is not rows × cols', () => {
    expect(() => xgb!.createDMatrix({ data, rows: 4, cols: 2 }))
      .toThrow(new RangeError('DMatrix data has 6 values, expected rows × cols = 8'));
  });

  it('rejects labels that are not one per row, and frees the matrix it had created', () => {
    expect(() => xgb!.createDMatrix({ data, rows: 3, cols: 2, labels: new Float32Array([1, 0]) }))
      .toThrow(new RangeError('DMatrix label has 2 values, expected one per row (3)'));
  });

  it('keeps its shape', () => {
    const matrix = xgb!.createDMatrix({ data, rows: 3, cols: 2, labels: new Float32Array([1, 0, 1]) });
    expect([matrix.rows, matrix.cols]).toEqual([3, 2]);
    matrix.free();
  });

  it('is safe to free twice', () => {
    const matrix = xgb!.createDMatrix({ data, rows: 3, cols: 2 });
    expect(matrix.freed).toBe(false);
    matrix.free();
    expect(() => matrix.free()).not.toThrow();
    matrix[Symbol.dispose]();
    expect(matrix.freed).toBe(true);
  });

  it('throws a JS error, not a native crash, when used after free', () => {
    const matrix = xgb!.createDMatrix({ data, rows: 3, cols: 2 });
    matrix.free();
    expect(() => matrix.setLabels(new Float32Array([1, 0, 1])))
      .toThrow(new XGBoostFreedError('DMatrix', 'set label'));
    expect(() => matrix.setLabels(new Float32Array(3))).toThrow('DMatrix has already been freed; cannot set label');
    expect(() => xgb!.createBooster({ cache: [matrix] })).toThrow(XGBoostFreedError);
  });

  it('is freed at the end of a `using` block', () => {
    let seen: { freed: boolean } | undefined;
    {
      using matrix = xgb!.createDMatrix({ data, rows: 3, cols: 2 });
      seen = matrix;
      expect(matrix.freed).toBe(false);
    }
    expect(seen.freed).toBe(true);
  });

  it('is freed by withDMatrix after use, and when use throws', () => {
    let seen: { freed: boolean } | undefined;
    const rows = withDMatrix(xgb!, { data, rows: 3, cols: 2 }, (matrix) => {
      seen = matrix;
      return matrix.rows;
    });
    expect(rows).toBe(3);
    expect(seen?.freed).toBe(true);
    expect(() => withDMatrix(xgb!, { data, rows: 3, cols: 2 }, (matrix) => {
      seen = matrix;
      throw new Error('boom');
    })).toThrow('boom');
    expect(seen?.freed).toBe(true);
  });
});
