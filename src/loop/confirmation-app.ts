import { lognormal } from '../sim/random/distributions';
import { createStream } from '../sim/random/stream';

/** How the bank's users answer a held payment in the confirmation app. */
export interface AnswerBehaviour {
  /** Median time to answer, minutes. */
  readonly medianMinutes: number;
  /** Spread of the log-normal answer time (natural-log units). */
  readonly sigma: number;
  /** Share of held payments their owner never answers, 0 to 1. */
  readonly neverShare: number;
}

/** Most users answer within minutes; a tail takes hours; one in twenty never answers. */
export const DEFAULT_ANSWERS: AnswerBehaviour = Object.freeze({ medianMinutes: 3, sigma: 1.2, neverShare: 0.05 });

/** Answer times are clipped to this range (seconds): nobody answers instantly, and a payment is not held for more than two days. */
const ANSWER_RANGE_S: readonly [number, number] = [10, 2 * 86_400];

/**
 * Seconds until the owner of held payment `transactionIndex` answers, or null when they never do.
 * Drawn from the payment's own stream (`app/<index>` under `seed`), so the same payment gets the
 * same answer time in every arm of a run and whichever payments around it were held.
 * Answer time ~ LogNormal(ln medianMinutes, sigma) minutes, clipped to 10 s .. 2 days.
 */
export function answerDelaySeconds(seed: number, transactionIndex: number, b: AnswerBehaviour): number | null {
  const s = createStream(seed, 'app', transactionIndex);
  if (s.uniform() < b.neverShare) return null;
  const seconds = 60 * lognormal(s, Math.log(b.medianMinutes), b.sigma);
  return Math.round(Math.min(ANSWER_RANGE_S[1], Math.max(ANSWER_RANGE_S[0], seconds)));
}

/** Checks an answer behaviour; throws a RangeError naming the first bad field. */
export function checkAnswerBehaviour(b: AnswerBehaviour): AnswerBehaviour {
  if (!(b.medianMinutes > 0 && Number.isFinite(b.medianMinutes))) throw new RangeError(`the median answer time must be a positive number of minutes, got ${b.medianMinutes}`);
  if (!(b.sigma >= 0 && Number.isFinite(b.sigma))) throw new RangeError(`the answer time's sigma must be >= 0, got ${b.sigma}`);
  if (!(b.neverShare >= 0 && b.neverShare <= 1)) throw new RangeError(`the share of payments never answered must be within 0..1, got ${b.neverShare}`);
  return b;
}
