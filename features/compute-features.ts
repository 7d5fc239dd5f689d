import { CURRENCY_EXPONENTS } from './currency';
import { FEATURE_DEFINITIONS, type FeatureDefinition, type WindowAggregate } from './definitions';
import { hasMember, TIERS, TIER_INDEX, windowSum, type ProfileState, type TierSpec } from './profile-state';
import { parseRfc3339, type EventTime } from './time';
import { CHANNELS, type Transaction } from './transaction';

/** What an evaluator sees. A null profile means "unavailable" (store failure): its features are NaN. */
interface Inputs {
  readonly txn: Transaction;
  readonly time: EventTime;
  readonly user: ProfileState | null;
  readonly merchant: ProfileState | null;
}

type Evaluator = (x: Inputs) => number;

const CHANNEL_CODE: ReadonlyMap<string, number> = new Map(CHANNELS.map((c, i) => [c, i]));

function localSeconds(time: EventTime): number {
  return time.epochSeconds + time.offsetMinutes * 60;
}

function localHour(time: EventTime): number {
  const s = localSeconds(time);
  return Math.floor((s - Math.floor(s / 86_400) * 86_400) / 3_600);
}

function majorAmount(txn: Transaction): number {
  return txn.amountMinor / 10 ** (CURRENCY_EXPONENTS[txn.currency] ?? 2);
}

function windowEvaluator(def: Extract<FeatureDefinition, { kind: 'window' }>): Evaluator {
  const tierIndex = TIER_INDEX[def.window.tier];
  const tier = TIERS[tierIndex] as TierSpec;
  const { buckets, delay } = def.window;
  if (buckets < 1 || delay < 0 || buckets + delay > tier.length) {
    throw new RangeError(`feature ${def.name}: window of ${buckets}+${delay} buckets exceeds tier ${tier.name}`);
  }
  const pick = def.entity === 'user' ? (x: Inputs) => x.user : (x: Inputs) => x.merchant;
  const aggregate: WindowAggregate = def.aggregate;
  return (x) => {
    const state = pick(x);
    if (state === null) return Number.NaN;
    const to = Math.floor(x.time.epochSeconds / tier.bucketSeconds) - delay;
    const from = to - buckets + 1;
    switch (aggregate) {
      case 'count':
        return windowSum(state, tierIndex, 'n', from, to);
      case 'sum_amount':
        return windowSum(state, tierIndex, 's', from, to) / 100;
      case 'avg_amount': {
        const n = windowSum(state, tierIndex, 'n', from, to);
        return n === 0 ? Number.NaN : windowSum(state, tierIndex, 's', from, to) / 100 / n;
      }
      case 'known_frauds':
        return windowSum(state, tierIndex, 'f', from, to);
      case 'fraud_rate': {
        const n = windowSum(state, tierIndex, 'n', from, to);
        return n === 0 ? Number.NaN : windowSum(state, tierIndex, 'f', from, to) / n;
      }
      case 'amount_to_avg': {
        const n = windowSum(state, tierIndex, 'n', from, to);
        const s = windowSum(state, tierIndex, 's', from, to);
        return n === 0 || s === 0 ? Number.NaN : majorAmount(x.txn) / (s / 100 / n);
      }
    }
  };
}

function compile(def: FeatureDefinition): Evaluator {
  switch (def.kind) {
    case 'amount':
      return (x) => majorAmount(x.txn);
    case 'local_hour':
      return (x) => localHour(x.time);
    case 'is_weekend':
      return (x) => {
        // 1970-01-01 was a Thursday: (days + 4) mod 7 gives 0 = Sunday .. 6 = Saturday.
        const day = Math.floor(localSeconds(x.time) / 86_400);
        const dow = (((day + 4) % 7) + 7) % 7;
        return dow === 0 || dow === 6 ? 1 : 0;
      };
    case 'is_night':
      return (x) => (localHour(x.time) <= 6 ? 1 : 0);
    case 'channel_code':
      return (x) => (x.txn.channel === undefined ? Number.NaN : (CHANNEL_CODE.get(x.txn.channel) ?? Number.NaN));
    case 'mcc_code':
      return (x) => (x.txn.mcc === undefined ? Number.NaN : Number(x.txn.mcc));
    case 'country_mismatch':
      return (x) =>
        x.txn.merchantCountry === undefined || x.txn.userCountry === undefined
          ? Number.NaN
          : x.txn.merchantCountry === x.txn.userCountry
            ? 0
            : 1;
    case 'window':
      return windowEvaluator(def);
    case 'seconds_since_last': {
      const pick = def.entity === 'user' ? (x: Inputs) => x.user : (x: Inputs) => x.merchant;
      return (x) => {
        const state = pick(x);
        if (state === null || state.lastSeen === Number.NEGATIVE_INFINITY) return Number.NaN;
        return Math.max(0, x.time.epochSeconds - state.lastSeen);
      };
    }
    case 'new_member': {
      const key: (txn: Transaction) => string | undefined =
        def.set === 'merchants' ? (t) => t.merchantId : def.set === 'channels' ? (t) => t.channel : (t) => t.merchantCountry;
      const set = def.set;
      return (x) => {
        const k = key(x.txn);
        if (x.user === null || k === undefined) return Number.NaN;
        return hasMember(x.user, set, k) ? 0 : 1;
      };
    }
  }
}

const EVALUATORS: readonly Evaluator[] = FEATURE_DEFINITIONS.map(compile);

/** Number of features, the length of every vector {@link computeFeatures} returns. */
export const FEATURE_COUNT = EVALUATORS.length;

/** Feature names in vector order. */
export const FEATURE_NAMES: readonly string[] = FEATURE_DEFINITIONS.map((d) => d.name);

/**
 * The feature vector of `txn`, in spec order, from the profiles as they were *before* it.
 * `null` for a profile means it could not be read: its features are NaN (the model treats NaN as
 * missing). An entity never seen before is an {@link emptyProfile}, not null. Pure: the same inputs
 * always give the same bits. Throws a RangeError if `txn.timestamp` is not RFC 3339.
 * Writes into `out` when given (length {@link FEATURE_COUNT}), else allocates.
 */
export function computeFeatures(
  txn: Transaction,
  user: ProfileState | null,
  merchant: ProfileState | null,
  out: Float32Array = new Float32Array(FEATURE_COUNT),
): Float32Array {
  const time = parseRfc3339(txn.timestamp);
  if (time === null) throw new RangeError(`timestamp is not RFC 3339: ${txn.timestamp}`);
  const inputs: Inputs = { txn, time, user, merchant };
  for (let i = 0; i < EVALUATORS.length; i++) out[i] = (EVALUATORS[i] as Evaluator)(inputs);
  return out;
}
