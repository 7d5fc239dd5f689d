import type { EntityRole } from './deltas';
import type { SetName, TierName } from './profile-state';

/**
 * Feature definitions: data, not code. `computeFeatures` compiles them once into evaluators, the
 * spec file and its hash are generated from them, and a model records that hash.
 *
 * Windows are bucket-aligned: a window `{ tier, buckets: k, delay: o }` evaluated for a transaction
 * in bucket b of that tier covers bucket ids `[b - o - k + 1, b - o]`, i.e. the current (partial)
 * bucket and the k-1 before it when o = 0. With 5-minute, hourly and daily tiers this makes "1 hour"
 * span 55-60 minutes, "1 day" 23-24 hours and "7 days" 6-7 days before the transaction.
 * Entity features read state from *before* the transaction (score first, then update).
 */

export interface WindowSpec {
  readonly tier: TierName;
  readonly buckets: number;
  /** Buckets skipped before the window (the book's label delay); 0 = ends at the current bucket. */
  readonly delay: number;
}

/** Aggregates over a window of an entity's buckets. NaN when the profile is unavailable. */
export type WindowAggregate =
  /** number of transactions */
  | 'count'
  /** sum of amounts, major units */
  | 'sum_amount'
  /** mean amount, major units; NaN when the window is empty */
  | 'avg_amount'
  /** transactions in the window known (by now) to be fraud */
  | 'known_frauds'
  /** known frauds / transactions; NaN when the window is empty */
  | 'fraud_rate'
  /** this transaction's amount / the window's mean amount; NaN when the window is empty */
  | 'amount_to_avg'
  /** age (in buckets: 0 = the current one) of the most recent bucket holding a known fraud; NaN when none */
  | 'latest_fraud_age'
  /** age (in buckets) of the oldest bucket in the window holding a known fraud; NaN when none */
  | 'earliest_fraud_age';

export type FeatureDefinition = { readonly name: string; readonly version: number; readonly description: string } & (
  | { readonly kind: 'amount' }
  | { readonly kind: 'local_hour' }
  | { readonly kind: 'is_weekend' }
  | { readonly kind: 'is_night' }
  | { readonly kind: 'channel_code' }
  | { readonly kind: 'mcc_code' }
  | { readonly kind: 'country_mismatch' }
  | { readonly kind: 'window'; readonly entity: EntityRole; readonly aggregate: WindowAggregate; readonly window: WindowSpec }
  | { readonly kind: 'seconds_since_last'; readonly entity: EntityRole }
  | { readonly kind: 'new_member'; readonly set: SetName }
);

/** Version of the feature set as a whole; bump it with any change below. */
export const FEATURE_SPEC_VERSION = 3;

const h1 = (buckets: number): WindowSpec => ({ tier: 'h1', buckets, delay: 0 });
const d1 = (buckets: number, delay = 0): WindowSpec => ({ tier: 'd1', buckets, delay });
const m5h = { tier: 'm5', buckets: 12, delay: 0 } as const satisfies WindowSpec;

function win(name: string, entity: EntityRole, aggregate: WindowAggregate, window: WindowSpec, description: string): FeatureDefinition {
  return { name, version: 1, description, kind: 'window', entity, aggregate, window };
}

export const FEATURE_DEFINITIONS: readonly FeatureDefinition[] = [
  { name: 'amount', version: 2, kind: 'amount', description: 'amount in major units of the reference currency (EUR), converted at the rate of the event\'s day (features/currency-rates.ts); window sums likewise' },
  { name: 'tx_local_hour', version: 1, kind: 'local_hour', description: 'hour of day (0-23) in the timestamp\'s own UTC offset' },
  { name: 'tx_is_weekend', version: 1, kind: 'is_weekend', description: '1 on Saturday or Sunday (local), else 0' },
  { name: 'tx_is_night', version: 1, kind: 'is_night', description: '1 when the local hour is 0-6, else 0' },
  { name: 'tx_channel', version: 1, kind: 'channel_code', description: 'channel code: card_present 0, contactless 1, ecommerce 2, atm 3; NaN when absent' },
  { name: 'tx_mcc', version: 1, kind: 'mcc_code', description: 'merchant category code as a number; NaN when absent' },
  { name: 'tx_country_mismatch', version: 1, kind: 'country_mismatch', description: '1 when merchantCountry differs from userCountry; NaN when either is absent' },
  win('user_count_1h', 'user', 'count', m5h, 'user transactions in the last hour'),
  win('user_amount_1h', 'user', 'sum_amount', m5h, 'user amount spent in the last hour'),
  win('user_count_1d', 'user', 'count', h1(24), 'user transactions in the last day'),
  win('user_avg_amount_1d', 'user', 'avg_amount', h1(24), 'user mean amount over the last day'),
  win('user_count_7d', 'user', 'count', d1(7), 'user transactions in the last 7 days'),
  win('user_avg_amount_7d', 'user', 'avg_amount', d1(7), 'user mean amount over the last 7 days'),
  win('user_count_30d', 'user', 'count', d1(30), 'user transactions in the last 30 days'),
  win('user_avg_amount_30d', 'user', 'avg_amount', d1(30), 'user mean amount over the last 30 days'),
  win('user_amount_to_avg_30d', 'user', 'amount_to_avg', d1(30), 'amount relative to the user\'s 30-day mean'),
  win('user_avg_amount_30d_delay7', 'user', 'avg_amount', d1(30, 7), 'user mean amount over the 30 days before the last 7 (a baseline recent fraud cannot have inflated yet)'),
  win('user_amount_to_avg_30d_delay7', 'user', 'amount_to_avg', d1(30, 7), 'amount relative to the user\'s mean over the 30 days before the last 7'),
  win('user_known_frauds_30d', 'user', 'known_frauds', d1(30), 'user transactions of the last 30 days labeled fraud so far'),
  {
    name: 'user_seconds_since_last',
    version: 2,
    kind: 'seconds_since_last',
    entity: 'user',
    description: 'seconds since the user\'s latest earlier transaction (0 if later ones were seen); NaN for a new user or when that transaction is 90 days (the profile horizon) old or more',
  },
  { name: 'user_merchant_new', version: 2, kind: 'new_member', set: 'merchants', description: '1 when the user has not paid this merchant within the 90 days before this transaction (or before a later one already seen), else 0' },
  { name: 'user_channel_new', version: 2, kind: 'new_member', set: 'channels', description: '1 when the user has not used this channel within the 90 days before this transaction (or before a later one already seen); NaN when absent' },
  { name: 'user_country_new', version: 2, kind: 'new_member', set: 'countries', description: '1 when the user has not paid in this merchant country within the 90 days before this transaction (or before a later one already seen); NaN when absent' },
  win('merchant_count_1h', 'merchant', 'count', m5h, 'merchant transactions in the last hour'),
  win('merchant_count_1d', 'merchant', 'count', h1(24), 'merchant transactions in the last day'),
  win('merchant_count_7d', 'merchant', 'count', d1(7), 'merchant transactions in the last 7 days'),
  win('merchant_count_30d', 'merchant', 'count', d1(30), 'merchant transactions in the last 30 days'),
  win('merchant_avg_amount_30d', 'merchant', 'avg_amount', d1(30), 'merchant mean amount over the last 30 days'),
  win('merchant_risk_1d_delay7', 'merchant', 'fraud_rate', d1(1, 7), 'known fraud rate of the merchant\'s transactions on the day 7 days ago (handbook terminal risk)'),
  win('merchant_risk_7d_delay7', 'merchant', 'fraud_rate', d1(7, 7), 'known fraud rate over the 7 days before a 7-day delay (handbook terminal risk)'),
  win('merchant_risk_30d_delay7', 'merchant', 'fraud_rate', d1(30, 7), 'known fraud rate over the 30 days before a 7-day delay (handbook terminal risk)'),
  win('merchant_known_frauds_7d', 'merchant', 'known_frauds', d1(7), 'merchant transactions of the last 7 days labeled fraud so far'),
  win('merchant_known_frauds_30d', 'merchant', 'known_frauds', d1(30), 'merchant transactions of the last 30 days labeled fraud so far'),
  win('merchant_risk_30d', 'merchant', 'fraud_rate', d1(30), 'known fraud rate of the merchant\'s transactions of the last 30 days'),
  win('merchant_days_since_known_fraud', 'merchant', 'latest_fraud_age', d1(37), 'days since the most recent day (within 37) with a merchant transaction known to be fraud'),
  win('merchant_days_since_first_known_fraud', 'merchant', 'earliest_fraud_age', d1(37), 'days since the oldest day (within 37) with a merchant transaction known to be fraud: how long a fraud campaign has been running'),
];
