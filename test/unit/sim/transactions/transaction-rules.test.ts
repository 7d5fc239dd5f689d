import { drawAmountMinor, secondOfDay } from '../../../../src/sim/transactions/transaction-rules';
import { scriptedStream } from '../fakes';

/** uniform() values that make the Box-Muller draw equal mean + sd * z (cos(2π·0) = 1, cos(2π·0.5) = -1). */
function normalDraw(z: number): number[] {
  return [1 - Math.exp(-(z * z) / 2), z >= 0 ? 0 : 0.5];
}

describe('secondOfDay (truncation rule)', () => {
  it.each([
    [43_200.7, 43_200],
    [1.999, 1],
    [86_399.99, 86_399],
  ])('keeps %p as second %p (truncated toward zero)', (draw, second) => {
    expect(secondOfDay(draw)).toBe(second);
  });

  it.each([0, 0.999, -0.5, -20_000, 86_400, 86_400.5, 120_000])('discards %p (outside the open interval (0, 86400) after truncation)', (draw) => {
    expect(secondOfDay(draw)).toBe(-1);
  });
});

describe('drawAmountMinor (amount rule)', () => {
  it('draws N(mean, sd) and rounds to cents', () => {
    expect(drawAmountMinor(scriptedStream([], normalDraw(1)), 40, 20)).toBe(6000);
    expect(drawAmountMinor(scriptedStream([], normalDraw(0.5)), 10.001, 5)).toBe(1250);
  });

  it('replaces a negative draw by U(0, 2 * mean)', () => {
    // z = -3 gives 10 - 15 < 0; the replacement U(0, 20) with u = 0.25 is 5.00 EUR.
    expect(drawAmountMinor(scriptedStream([], [...normalDraw(-3), 0.25]), 10, 5)).toBe(500);
  });

  it('turns an amount rounding to 0 cents into 1 cent (the contract minimum)', () => {
    expect(drawAmountMinor(scriptedStream([], [...normalDraw(-3), 0.0001]), 10, 5)).toBe(1);
  });
});
