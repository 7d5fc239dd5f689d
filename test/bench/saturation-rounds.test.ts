import { medianRound, saturationRound, serviceFirst } from '../../src/bench/saturation-rounds';

describe('saturation rounds', () => {
  it('alternate which server runs first, starting with the baseline', () => {
    expect([0, 1, 2, 3].map(serviceFirst)).toEqual([false, true, false, true]);
  });

  it('give each round its own ratio, rounded to 3 decimals, and 0 when the baseline answered nothing', () => {
    expect(saturationRound(0, 30_000, 10_000)).toEqual({ baselineRps: 30_000, serviceRps: 10_000, ratio: 0.333, serviceFirst: false });
    expect(saturationRound(1, 0, 5)).toEqual({ baselineRps: 0, serviceRps: 5, ratio: 0, serviceFirst: true });
  });

  it('report the median round by ratio, the lower middle one for an even count', () => {
    const rounds = (ratios: number[]) => ratios.map((r, i) => saturationRound(i, 1000, r * 1000));
    expect(medianRound(rounds([0.3]))).toBe(0);
    expect(medianRound(rounds([0.5, 0.2, 0.35]))).toBe(2);
    expect(medianRound(rounds([0.4, 0.3, 0.5, 0.2]))).toBe(1);
    // Equal ratios keep round order.
    expect(medianRound(rounds([0.3, 0.3, 0.3]))).toBe(1);
  });

  it('refuse an empty list', () => {
    expect(() => medianRound([])).toThrow('no saturation rounds');
  });
});
