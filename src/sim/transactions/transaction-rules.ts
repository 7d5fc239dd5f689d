import { normal, uniform } from '../random/distributions';
import type { RandomStream } from '../random/stream';

// Hoisted once: a global lookup per call is slow inside vm contexts (jest); these run per transaction.
const { max, round, trunc } = Math;

export const SECONDS_PER_DAY = 86_400;

/** Mean and sd of the second-of-day draw (the handbook's N(43200, 20000)). */
export const TIME_OF_DAY_MEAN = 43_200;
export const TIME_OF_DAY_SD = 20_000;

/**
 * The handbook's time-of-day rule: a normal draw truncated toward zero to an integer, kept only
 * inside the open interval (0, 86400). Returns the second of day, or -1 when the transaction is
 * discarded (it is not redrawn).
 */
export function secondOfDay(draw: number): number {
  const t = trunc(draw);
  return t > 0 && t < SECONDS_PER_DAY ? t : -1;
}

/**
 * The handbook's amount rule, in cents: N(mean, sd) EUR; a negative draw is replaced by
 * U(0, 2·mean); rounded to the nearest cent. A draw that rounds to 0 cents becomes 1 cent, the
 * smallest amount the event contract accepts.
 */
export function drawAmountMinor(s: RandomStream, mean: number, sd: number): number {
  let amount = normal(s, mean, sd);
  if (amount < 0) amount = uniform(s, 0, 2 * mean);
  return max(1, round(amount * 100));
}
