import { compileExplainerCheck } from '../../src/model/explain/explainer-document';
import { explainerFromXGBoost } from '../../src/model/explain/explainer-from-xgboost';
import { TreeShap } from '../../src/model/explain/tree-shap';
import { trainBinary, withDMatrix, type Booster } from '../../src/training/xgboost';
import { requireXGBoost } from '../unit/training/xgboost/require-xgboost';
import { syntheticBinaryData } from '../unit/training/xgboost/synthetic-binary-data';

/*
 * Acceptance (reason codes): our TreeSHAP, computed in TypeScript from the explainer document the
 * registry stores, equals XGBoost's own contributions (XGBoosterPredictFromDMatrix, type 2) within
 * 1e-5 on at least 10,000 rows with missing values, and sums with the bias to the margin.
 */

const COLS = 20;
const ROUNDS = 120;
const TOLERANCE = 1e-5;

const xgb = requireXGBoost('TreeSHAP parity (XGBoost vs TypeScript)');
const describeWithXGBoost = xgb ? describe : describe.skip;

describeWithXGBoost('TreeSHAP parity with XGBoost', () => {
  let booster: Booster;
  let shap: TreeShap;
  const train = syntheticBinaryData({ rows: 12_000, cols: COLS, missingRate: 0.15, seed: 20261207 });
  const fresh = syntheticBinaryData({ rows: 10_000, cols: COLS, missingRate: 0.2, seed: 20261208 });

  beforeAll(() => {
    booster = withDMatrix(xgb!, { data: train.data, rows: train.rows, cols: COLS, labels: train.labels }, (dtrain) => trainBinary(xgb!, {
      train: dtrain, rounds: ROUNDS,
      params: { maxDepth: 6, eta: 0.1, subsample: 0.9, colsampleBytree: 0.8, minChildWeight: 1, nthread: 1, seed: 11 },
    }).booster);
    // Through the document's own check, as the service reads it.
    const text = JSON.stringify(explainerFromXGBoost(booster.saveJson(), COLS));
    shap = new TreeShap(compileExplainerCheck()(text));
  }, 180_000);

  afterAll(() => booster?.free());

  it('matches XGBoost\'s contributions within 1e-5 on 10,000 fresh rows with NaNs, and sums to its margin', () => {
    const expected = withDMatrix(xgb!, { data: fresh.data, rows: fresh.rows, cols: COLS }, (m) => booster.predict(m, { contributions: true }));
    const margins = withDMatrix(xgb!, { data: fresh.data, rows: fresh.rows, cols: COLS }, (m) => booster.predict(m, { outputMargin: true }));
    expect(expected).toHaveLength(fresh.rows * (COLS + 1));
    const phi = new Float64Array(COLS);
    let worst = 0;
    let worstSum = 0;
    let rowsWithNaN = 0;
    let largest = 0;
    for (let r = 0; r < fresh.rows; r++) {
      const x = fresh.data.subarray(r * COLS, (r + 1) * COLS);
      if (x.some(Number.isNaN)) rowsWithNaN++;
      phi.fill(0);
      const bias = shap.contributions(x, phi);
      let sum = bias;
      for (let c = 0; c < COLS; c++) {
        const want = expected[r * (COLS + 1) + c] as number;
        worst = Math.max(worst, Math.abs((phi[c] as number) - want));
        largest = Math.max(largest, Math.abs(want));
        sum += phi[c] as number;
      }
      worst = Math.max(worst, Math.abs(bias - (expected[r * (COLS + 1) + COLS] as number)));
      worstSum = Math.max(worstSum, Math.abs(sum - (margins[r] as number)), Math.abs(shap.margin(x) - (margins[r] as number)));
    }
    console.log(`tree-shap parity: ${fresh.rows} rows (${rowsWithNaN} with NaN), ${ROUNDS} trees; `
      + `max |ours - xgboost| = ${worst.toExponential(3)}, max |bias + Σφ - margin| = ${worstSum.toExponential(3)}, largest |φ| ${largest.toFixed(3)}`);
    expect(rowsWithNaN).toBeGreaterThan(5_000);
    expect(largest).toBeGreaterThan(0.5); // contributions that matter, not a flat model
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(worstSum).toBeLessThanOrEqual(TOLERANCE);
  });

  it('explains by per-leaf tables, and the recursion of Algorithm 2 gives the same figures', () => {
    expect(shap.tabulated).toBe(true);
    const a = new Float64Array(COLS);
    const b = new Float64Array(COLS);
    let worst = 0;
    for (let r = 0; r < 2_000; r++) {
      const x = fresh.data.subarray(r * COLS, (r + 1) * COLS);
      a.fill(0);
      b.fill(0);
      shap.contributions(x, a);
      shap.recursiveContributions(x, b);
      for (let c = 0; c < COLS; c++) worst = Math.max(worst, Math.abs((a[c] as number) - (b[c] as number)));
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('would catch covers that are not the training covers', () => {
    const doc = explainerFromXGBoost(booster.saveJson(), COLS);
    const even = new TreeShap({ ...doc, trees: doc.trees.map((t) => ({ ...t, cover: t.cover.map(() => 1) })) });
    const expected = withDMatrix(xgb!, { data: fresh.data.subarray(0, 200 * COLS), rows: 200, cols: COLS }, (m) => booster.predict(m, { contributions: true }));
    const phi = new Float64Array(COLS);
    let worst = 0;
    for (let r = 0; r < 200; r++) {
      phi.fill(0);
      even.contributions(fresh.data.subarray(r * COLS, (r + 1) * COLS), phi);
      for (let c = 0; c < COLS; c++) worst = Math.max(worst, Math.abs((phi[c] as number) - (expected[r * (COLS + 1) + c] as number)));
    }
    expect(worst).toBeGreaterThan(1e-2);
  });
});
