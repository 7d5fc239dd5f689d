import { FEATURE_DEFINITIONS, type FeatureDefinition, type WindowAggregate } from './definitions';
import type { EntityRole } from './deltas';
import { TIERS, TIER_INDEX, type SetName, type TierSpec } from './profile-state';

/**
 * The feature definitions compiled once into a flat list of instructions, in spec order. Window
 * aggregates name their entity and tier (see `window-source.ts`) and the bucket ages
 * `[lo, hi)` they cover.
 */
export enum Op {
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

export interface Instruction {
  readonly op: Op;
  /** 0 = user, 1 = merchant. */
  readonly entity: number;
  /** Index into the (entity, tier) group: entity * TIERS.length + tier. */
  readonly prefix: number;
  readonly lo: number;
  readonly hi: number;
  readonly set: SetName;
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

/** Every instruction is built here, so all share one object shape (property loads stay monomorphic). */
function make(op: Op, entity = 0, prefix = 0, lo = 0, hi = 0, set: SetName = 'merchants'): Instruction {
  return { op, entity, prefix, lo, hi, set };
}

function instruction(def: FeatureDefinition): Instruction {
  switch (def.kind) {
    case 'amount':
      return make(Op.Amount);
    case 'local_hour':
      return make(Op.LocalHour);
    case 'is_weekend':
      return make(Op.IsWeekend);
    case 'is_night':
      return make(Op.IsNight);
    case 'channel_code':
      return make(Op.ChannelCode);
    case 'mcc_code':
      return make(Op.MccCode);
    case 'country_mismatch':
      return make(Op.CountryMismatch);
    case 'seconds_since_last':
      return make(Op.SecondsSinceLast, ENTITY[def.entity]);
    case 'new_member':
      return make(Op.NewMember, 0, 0, 0, 0, def.set);
    case 'window': {
      const tierIndex = TIER_INDEX[def.window.tier];
      const tier = TIERS[tierIndex] as TierSpec;
      const { buckets, delay } = def.window;
      if (!Number.isInteger(buckets) || !Number.isInteger(delay) || buckets < 1 || delay < 0 || buckets + delay > tier.length) {
        throw new RangeError(`feature ${def.name}: window of ${buckets}+${delay} buckets does not fit tier ${tier.name}`);
      }
      const entity = ENTITY[def.entity];
      return make(AGGREGATE_OP[def.aggregate], entity, entity * TIERS.length + tierIndex, delay, delay + buckets);
    }
  }
}

export const PLAN: readonly Instruction[] = FEATURE_DEFINITIONS.map(instruction);

/** True for the window aggregates, the instructions that read prefix tables. */
export function isWindow(i: Instruction): boolean {
  return i.op >= Op.Count && i.op <= Op.EarliestFraudAge;
}
