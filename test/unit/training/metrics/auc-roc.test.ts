import { aucRoc } from '../../../../src/training/metrics';

const f = (...v: number[]): Float64Array => Float64Array.from(v);
const y = (...v: number[]): Uint8Array => Uint8Array.from(v);

describe('aucRoc', () => {
  it('is the share of (fraud, legit) pairs ranked correctly', () => {
    // frauds 0.9 and 0.7; legit 0.8, 0.6, 0.5. Pairs won: 0.9 beats all 3, 0.7 beats 0.6 and 0.5
    // → 5 of 2·3 = 6 pairs → 5/6.
    expect(aucRoc(f(0.9, 0.8, 0.7, 0.6, 0.5), y(1, 0, 1, 0, 0))).toBeCloseTo(5 / 6, 12);
  });

  it('matches the scikit-learn documentation example (0.75)', () => {
    // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    expect(aucRoc(f(0.1, 0.4, 0.35, 0.8), y(0, 0, 1, 1))).toBe(0.75);
  });

  it('counts tied (fraud, legit) pairs as 1/2', () => {
    // frauds 0.9, 0.5; legit 0.5, 0.1. 0.9 wins 2; 0.5 vs 0.5 is a tie (1/2); 0.5 beats 0.1 (1)
    // → 3.5 / 4 = 0.875.
    expect(aucRoc(f(0.9, 0.5, 0.5, 0.1), y(1, 1, 0, 0))).toBe(0.875);
    // frauds 0.8, 0.3; legit 0.8, 0.3: tie ½ + win 1 + loss 0 + tie ½ → 2/4.
    expect(aucRoc(f(0.8, 0.8, 0.3, 0.3), y(1, 0, 1, 0))).toBe(0.5);
    // Everything tied: one ROC step from (0,0) to (1,1) → 0.5.
    expect(aucRoc(f(0.4, 0.4, 0.4), y(1, 0, 0))).toBe(0.5);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(aucRoc(f(0.9, 0.8, 0.2), y(1, 1, 0))).toBe(1);
    expect(aucRoc(f(0.1, 0.2, 0.8), y(1, 1, 0))).toBe(0);
  });

  it('is NaN when a class is absent or the input is empty', () => {
    expect(aucRoc(f(0.1, 0.2), y(0, 0))).toBeNaN();
    expect(aucRoc(f(0.1, 0.2), y(1, 1))).toBeNaN();
    expect(aucRoc(f(), y())).toBeNaN();
  });

  it('equals the brute-force pair count on random data with many ties', () => {
    let s = 99;
    const next = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
    const n = 600;
    const scores = new Float64Array(n).map(() => Math.round(next() * 20) / 20);
    const labels = new Uint8Array(n).map(() => (next() < 0.3 ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i += 1) {
      if (labels[i] !== 1) continue;
      for (let j = 0; j < n; j += 1) {
        if (labels[j] !== 0) continue;
        pairs += 1;
        const a = scores[i] as number;
        const b = scores[j] as number;
        wins += a > b ? 1 : a === b ? 0.5 : 0;
      }
    }
    expect(aucRoc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });
});
