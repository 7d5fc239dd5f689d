import { referenceCents } from './currency-rates';
import type { Label } from './label-event';
import {
  addMember,
  addTransactionToTier,
  applyDelta,
  TIERS,
  TIER_INDEX,
  type CounterIncrement,
  type MemberUpdate,
  type ProfileDelta,
  type ProfileState,
} from './profile-state';
import { parseRfc3339 } from './time';
import type { Transaction } from './transaction';

/** Which side of a transaction a profile belongs to. */
export type EntityRole = 'user' | 'merchant';

/** What a label delta needs to know about the transaction it labels. */
export interface LabeledTransaction {
  readonly userId: string;
  readonly merchantId: string;
  /** The transaction's event time, epoch seconds. */
  readonly epochSeconds: number;
}

/**
 * Epoch seconds of a transaction's timestamp. Throws a RangeError when the timestamp is not
 * RFC 3339 (validated input never is).
 */
export function transactionTime(txn: Pick<Transaction, 'timestamp'>): number {
  const t = parseRfc3339(txn.timestamp);
  if (t === null) throw new RangeError(`timestamp is not RFC 3339: ${txn.timestamp}`);
  return t.epochSeconds;
}

/**
 * The delta a transaction applies to its user's or its merchant's profile: in every tier, count +1
 * and amount (reference-currency cents, see currency-rates.ts) into the transaction's bucket; `lastSeen`; and for the user the
 * merchant, channel and merchant country it used.
 */
export function transactionDelta(role: EntityRole, txn: Transaction): ProfileDelta {
  const t = transactionTime(txn);
  const amount = referenceCents(txn.amountMinor, txn.currency, t);
  const counters: CounterIncrement[] = [];
  for (let i = 0; i < TIERS.length; i++) {
    const bucket = Math.floor(t / (TIERS[i] as (typeof TIERS)[number]).bucketSeconds);
    counters.push({ tier: i, bucket, field: 'n', by: 1 }, { tier: i, bucket, field: 's', by: amount });
  }
  const members: MemberUpdate[] = [];
  if (role === 'user') {
    members.push({ set: 'merchants', key: txn.merchantId, at: t });
    if (txn.channel !== undefined) members.push({ set: 'channels', key: txn.channel, at: t });
    if (txn.merchantCountry !== undefined) members.push({ set: 'countries', key: txn.merchantCountry, at: t });
  }
  return { counters, seenAt: t, total: 1, members };
}

/**
 * Change of a transaction's known-fraud indicator when its resolved label goes from `before` to
 * `after` (null = unlabeled): +1, -1 or 0.
 */
export function fraudIndicatorChange(before: Label | null, after: Label | null): number {
  return (after === 'fraud' ? 1 : 0) - (before === 'fraud' ? 1 : 0);
}

/**
 * The delta a label applies to the user's or merchant's profile of the labeled transaction: the
 * known-fraud counter of the transaction's daily bucket changes by `change` (see
 * {@link fraudIndicatorChange}). Returns null when `change` is 0. The delta is applied when the label
 * *arrives*, so features of transactions scored before that never see it.
 */
export function labelDelta(txn: LabeledTransaction, change: number): ProfileDelta | null {
  if (change === 0) return null;
  const d1 = TIER_INDEX.d1;
  const bucket = Math.floor(txn.epochSeconds / (TIERS[d1] as (typeof TIERS)[number]).bucketSeconds);
  return { counters: [{ tier: d1, bucket, field: 'f', by: change }], seenAt: null, total: 0, members: [] };
}

/**
 * Applies a transaction to one of its profiles in place. Exactly `applyDelta(state,
 * transactionDelta(role, txn))` (a test holds them equal), without building the delta: this is the
 * replay's and the memory store's hot path. A caller that has parsed the timestamp passes its
 * epoch seconds as `t` (it must be `transactionTime(txn)`).
 */
export function applyTransaction(state: ProfileState, role: EntityRole, txn: Transaction, t: number = transactionTime(txn)): void {
  const amount = referenceCents(txn.amountMinor, txn.currency, t);
  for (let i = 0; i < TIERS.length; i++) {
    const bucket = Math.floor(t / (TIERS[i] as (typeof TIERS)[number]).bucketSeconds);
    addTransactionToTier(state, i, bucket, amount);
  }
  if (t > state.lastSeen) state.lastSeen = t;
  state.total += 1;
  if (role === 'user') {
    addMember(state, 'merchants', txn.merchantId, t);
    if (txn.channel !== undefined) addMember(state, 'channels', txn.channel, t);
    if (txn.merchantCountry !== undefined) addMember(state, 'countries', txn.merchantCountry, t);
  }
}

/** Applies a label's resolved-label change to one of its profiles in place (see {@link labelDelta}). */
export function applyLabel(state: ProfileState, txn: LabeledTransaction, change: number): void {
  const delta = labelDelta(txn, change);
  if (delta !== null) applyDelta(state, delta);
}
