import { CURRENCY_EXPONENTS } from './currency';
import { FEATURE_DEFINITIONS, type FeatureDefinition, type WindowAggregate } from './definitions';
import type { EntityRole } from './deltas';
import { hasMember, RING_OFFSET, slotOf, TIERS, TIER_INDEX, TOP_OFFSET, type ProfileState, type SetName, type TierSpec } from './profile-state';
import { parseRfc3339, type EventTime } from './time';
import { CHANNELS, type Transaction } from './transaction';

/**
 * Evaluation plan. Definitions compile once into a flat list of instructions run by one `switch`
 * (fast and monomorphic), and window aggregates read prefix sums by bucket *age* (current bucket id
 * minus bucket id) that are filled once per call: for an entity and tier, `n[a]`, `s[a]`, `f[a]` are
 * the sums of that counter over visible buckets of age < a, so the window `{ buckets: k, delay: o }`
 * is `x[o + k] - x[o]`. Counters are integers, so the differences are exact.
 */
const enum Op {
  Amount,
  LocalHour,
  IsWeekend,
  IsNight,
  ChannelCode,
  MccCode,
  CountryMismatch,
  Count,
  SumAmount,
  AvgAmount,
  KnownFrauds,
  FraudRate,
  AmountToAvg,
  LatestFraudAge,
  EarliestFraudAge,
  SecondsSinceLast,
  NewMember,
}

interface Instruction {
  readonly op: Op;
  /** 0 = user, 1 = merchant. */
  readonly entity: number;
  /** Index into the prefix table: entity * TIERS.length + tier. */
  readonly prefix: number;
  readonly lo: number;
  readonly hi: number;
  readonly set: SetName;
}

interface AgePrefix {
  /** Ages covered: the largest window end any instruction reads (0 = unused). */
  readonly ages: number;
  readonly n: Float64Array;
  readonly s: Float64Array;
  readonly f: Float64Array;
}

const AGGREGATE_OP: Readonly<Record<WindowAggregate, Op>> = {
  count: Op.Count,
  sum_amount: Op.SumAmount,
  avg_amount: Op.AvgAmount,
  known_frauds: Op.KnownFrauds,
  fraud_rate: Op.FraudRate,
  amount_to_avg: Op.AmountToAvg,
  latest_fraud_age: Op.LatestFraudAge,
  earliest_fraud_age: Op.EarliestFraudAge,
};

const ENTITY: Readonly<Record<EntityRole, number>> = { user: 0, merchant: 1 };

function instruction(def: FeatureDefinition): Instruction {
  const base = { entity: 0, prefix: 0, lo: 0, hi: 0, set: 'merchants' as SetName };
  switch (def.kind) {
    case 'amount':
      return { ...base, op: Op.Amount };
    case 'local_hour':
      return { ...base, op: Op.LocalHour };
    case 'is_weekend':
      return { ...base, op: Op.IsWeekend };
    case 'is_night':
      return { ...base, op: Op.IsNight };
    case 'channel_code':
      return { ...base, op: Op.ChannelCode };
    case 'mcc_code':
      return { ...base, op: Op.MccCode };
    case 'country_mismatch':
      return { ...base, op: Op.CountryMismatch };
    case 'seconds_since_last':
      return { ...base, op: Op.SecondsSinceLast, entity: ENTITY[def.entity] };
    case 'new_member':
      return { ...base, op: Op.NewMember, set: def.set };
    case 'window': {
      const tierIndex = TIER_INDEX[def.window.tier];
      const tier = TIERS[tierIndex] as TierSpec;
      const { buckets, delay } = def.window;
      if (!Number.isInteger(buckets) || !Number.isInteger(delay) || buckets < 1 || delay < 0 || buckets + delay > tier.length) {
        throw new RangeError(`feature ${def.name}: window of ${buckets}+${delay} buckets does not fit tier ${tier.name}`);
      }
      const entity = ENTITY[def.entity];
      return { ...base, op: AGGREGATE_OP[def.aggregate], entity, prefix: entity * TIERS.length + tierIndex, lo: delay, hi: delay + buckets };
    }
  }
}

const PLAN: readonly Instruction[] = FEATURE_DEFINITIONS.map(instruction);

// Scratch prefix sums per (entity, tier), refilled by every computeFeatures call. Module-level so
// the hot path allocates nothing; computeFeatures never yields, so calls cannot interleave.
const PREFIX: readonly AgePrefix[] = [0, 1].flatMap((entity) =>
  TIERS.map((_, tierIndex) => {
    const ages = Math.max(0, ...PLAN.filter((i) => i.op >= Op.Count && i.op <= Op.EarliestFraudAge && i.prefix === entity * TIERS.length + tierIndex).map((i) => i.hi));
    return { ages, n: new Float64Array(ages + 1), s: new Float64Array(ages + 1), f: new Float64Array(ages + 1) };
  }),
);

function fillPrefix(state: ProfileState, tierIndex: number, epochSeconds: number, out: AgePrefix): void {
  const tier = TIERS[tierIndex] as TierSpec;
  const length = tier.length;
  const d = state.data;
  const top = d[TOP_OFFSET + tierIndex] as number;
  const base = RING_OFFSET[tierIndex] as number;
  const { n, s, f, ages } = out;
  const current = Math.floor(epochSeconds / tier.bucketSeconds);
  // Only ages whose bucket can be visible are read: ids in (top - length, min(top, current)].
  // Skipping the rest keeps the hot path off cold memory for quiet entities.
  const first = Math.max(0, current - top);
  const last = Math.min(ages, current - (top - length)); // exclusive
  let sn = 0;
  let ss = 0;
  let sf = 0;
  let a = 0;
  for (; a < first && a < ages; a++) {
    n[a + 1] = 0;
    s[a + 1] = 0;
    f[a + 1] = 0;
  }
  if (a < last) {
    let id = current - a;
    let slot = slotOf(id, length);
    for (; a < last; a++, id--) {
      const at = base + slot;
      if (d[at] === id) {
        sn += d[at + length] as number;
        ss += d[at + 2 * length] as number;
        sf += d[at + 3 * length] as number;
      }
      n[a + 1] = sn;
      s[a + 1] = ss;
      f[a + 1] = sf;
      slot = slot === 0 ? length - 1 : slot - 1;
    }
  }
  for (; a < ages; a++) {
    n[a + 1] = sn;
    s[a + 1] = ss;
    f[a + 1] = sf;
  }
}

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

function memberKey(txn: Transaction, set: SetName): string | undefined {
  return set === 'merchants' ? txn.merchantId : set === 'channels' ? txn.channel : txn.merchantCountry;
}

function evaluate(i: Instruction, txn: Transaction, time: EventTime, user: ProfileState | null, merchant: ProfileState | null): number {
  switch (i.op) {
    case Op.Amount:
      return majorAmount(txn);
    case Op.LocalHour:
      return localHour(time);
    case Op.IsWeekend: {
      // 1970-01-01 was a Thursday: (days + 4) mod 7 gives 0 = Sunday .. 6 = Saturday.
      const day = Math.floor(localSeconds(time) / 86_400);
      const dow = (((day + 4) % 7) + 7) % 7;
      return dow === 0 || dow === 6 ? 1 : 0;
    }
    case Op.IsNight:
      return localHour(time) <= 6 ? 1 : 0;
    case Op.ChannelCode:
      return txn.channel === undefined ? Number.NaN : (CHANNEL_CODE.get(txn.channel) ?? Number.NaN);
    case Op.MccCode:
      return txn.mcc === undefined ? Number.NaN : Number(txn.mcc);
    case Op.CountryMismatch:
      if (txn.merchantCountry === undefined || txn.userCountry === undefined) return Number.NaN;
      return txn.merchantCountry === txn.userCountry ? 0 : 1;
    case Op.SecondsSinceLast: {
      const state = i.entity === 0 ? user : merchant;
      if (state === null || state.lastSeen === Number.NEGATIVE_INFINITY) return Number.NaN;
      return Math.max(0, time.epochSeconds - state.lastSeen);
    }
    case Op.NewMember: {
      const key = memberKey(txn, i.set);
      if (user === null || key === undefined) return Number.NaN;
      return hasMember(user, i.set, key) ? 0 : 1;
    }
    default:
      break;
  }
  if ((i.entity === 0 ? user : merchant) === null) return Number.NaN;
  const p = PREFIX[i.prefix] as AgePrefix;
  const n = (p.n[i.hi] as number) - (p.n[i.lo] as number);
  switch (i.op) {
    case Op.Count:
      return n;
    case Op.SumAmount:
      return ((p.s[i.hi] as number) - (p.s[i.lo] as number)) / 100;
    case Op.AvgAmount:
      return n === 0 ? Number.NaN : ((p.s[i.hi] as number) - (p.s[i.lo] as number)) / 100 / n;
    case Op.KnownFrauds:
      return (p.f[i.hi] as number) - (p.f[i.lo] as number);
    case Op.FraudRate:
      return n === 0 ? Number.NaN : ((p.f[i.hi] as number) - (p.f[i.lo] as number)) / n;
    case Op.AmountToAvg: {
      const s = (p.s[i.hi] as number) - (p.s[i.lo] as number);
      return n === 0 || s === 0 ? Number.NaN : majorAmount(txn) / (s / 100 / n);
    }
    case Op.LatestFraudAge: {
      for (let a = i.lo; a < i.hi; a++) if ((p.f[a + 1] as number) > (p.f[a] as number)) return a;
      return Number.NaN;
    }
    case Op.EarliestFraudAge: {
      for (let a = i.hi - 1; a >= i.lo; a--) if ((p.f[a + 1] as number) > (p.f[a] as number)) return a;
      return Number.NaN;
    }
    default:
      throw new RangeError(`unknown feature op ${String(i.op)}`);
  }
}

/** Number of features, the length of every vector {@link computeFeatures} returns. */
export const FEATURE_COUNT = PLAN.length;

/** Feature names in vector order. */
export const FEATURE_NAMES: readonly string[] = FEATURE_DEFINITIONS.map((d) => d.name);

/**
 * The feature vector of `txn`, in spec order, from the profiles as they were *before* it.
 * `null` for a profile means it could not be read: its features are NaN (the model treats NaN as
 * missing). An entity never seen before is an `emptyProfile()`, not null. Pure: the same inputs
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
  const tiers = TIERS.length;
  for (let t = 0; t < tiers; t++) {
    const pu = PREFIX[t] as AgePrefix;
    if (user !== null && pu.ages > 0) fillPrefix(user, t, time.epochSeconds, pu);
    const pm = PREFIX[tiers + t] as AgePrefix;
    if (merchant !== null && pm.ages > 0) fillPrefix(merchant, t, time.epochSeconds, pm);
  }
  for (let k = 0; k < PLAN.length; k++) out[k] = evaluate(PLAN[k] as Instruction, txn, time, user, merchant);
  return out;
}
