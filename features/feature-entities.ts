import { FEATURE_DEFINITIONS, type FeatureDefinition } from './definitions';
import type { EntityRole } from './deltas';

/** The profile a feature reads: `user`, `merchant`, or null when it reads the transaction alone. */
export function featureEntity(d: FeatureDefinition): EntityRole | null {
  switch (d.kind) {
    case 'window':
    case 'seconds_since_last':
      return d.entity;
    case 'new_member':
      // The sets of merchants, channels and countries seen are kept on the user's profile only.
      return 'user';
    case 'amount':
    case 'local_hour':
    case 'is_weekend':
    case 'is_night':
    case 'channel_code':
    case 'mcc_code':
    case 'country_mismatch':
      return null;
  }
}

/**
 * {@link featureEntity} of every feature, in spec order. Every feature reads at most one profile,
 * so a vector splits into a user part, a merchant part and a transaction part: a replay can check
 * the user part against the user's history and the merchant part against the merchant's, each in
 * its own order (`computeFeatures(txn, user, null)` gives the user part exactly, a test holds it).
 */
export const FEATURE_ENTITY: readonly (EntityRole | null)[] = FEATURE_DEFINITIONS.map(featureEntity);
