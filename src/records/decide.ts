import type { Decision } from './decision-record';

/** A model's decision thresholds (from its model.json). */
export interface Thresholds {
  readonly challenge: number;
  readonly decline: number;
}

/** score >= decline → decline; score >= challenge → challenge; otherwise approve. */
export function decide(score: number, t: Thresholds): Decision {
  if (score >= t.decline) return 'decline';
  if (score >= t.challenge) return 'challenge';
  return 'approve';
}

/** The stricter of two decisions (decline > challenge > approve). */
export function stricter(a: Decision, b: Decision): Decision {
  const rank: Readonly<Record<Decision, number>> = { approve: 0, challenge: 1, decline: 2 };
  return rank[a] >= rank[b] ? a : b;
}
