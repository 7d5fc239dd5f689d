import { averagePrecision } from '../../../../src/training/metrics';

const f = (...v: number[]): Float64Array => Float64Array.from(v);
const y = (...v: number[]): Uint8Array => Uint8Array.from(v);

describe('averagePrecision', () => {
  it('matches the scikit-learn documentation example (0.8333…)', () => {
    // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    // t=0.8:  TP1 FP0 → P=1,   R=0.5 → ΔR·P = 0.5
    // t=0.4:  TP1 FP1 → R unchanged  → 0
    // t=0.35: TP2 FP1 → P=2/3, R=1   → 0.5·2/3
    // t=0.1:  R unchanged            → 0          AP = 0.5 + 1/3
    expect(averagePrecision(f(0.1, 0.4, 0.35, 0.8), y(0, 0, 1, 1))).toBeCloseTo(5 / 6, 12);
  });

  it('treats a group of tied scores as one threshold step (no optimistic ordering inside it)', () => {
    // t=0.8: {fraud, legit} → P=1/2, R=1/2 → 0.25; t=0.3: same again → 0.25. AP = 0.5.
    // (Had the fraud been ranked first within each tie, AP would be 1·½ + ⅔·½ = 0.8333.)
    expect(averagePrecision(f(0.8, 0.8, 0.3, 0.3), y(1, 0, 1, 0))).toBe(0.5);
    // t=0.9: TP1 FP0 → 1·⅓; t=0.5 {fraud, fraud, legit}: TP3 FP1 → P=¾, ΔR=⅔ → ½. AP = 5/6.
    expect(averagePrecision(f(0.9, 0.5, 0.5, 0.5), y(1, 1, 1, 0))).toBeCloseTo(1 / 3 + 0.5, 12);
  });

  it('is 1 for a perfect ranking and when every row is fraud', () => {
    expect(averagePrecision(f(0.9, 0.8, 0.1), y(1, 1, 0))).toBe(1);
    expect(averagePrecision(f(0.2, 0.1), y(1, 1))).toBe(1);
  });

  it('is not interpolated: a late fraud counts at its own precision', () => {
    // ranks: fraud, legit, legit, fraud → 1·½ + (2/4)·½ = 0.75
    expect(averagePrecision(f(0.9, 0.8, 0.7, 0.6), y(1, 0, 0, 1))).toBe(0.75);
  });

  it('is NaN when there is no fraud or no row', () => {
    expect(averagePrecision(f(0.3, 0.2), y(0, 0))).toBeNaN();
    expect(averagePrecision(f(), y())).toBeNaN();
  });
});
