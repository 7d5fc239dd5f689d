import { FEATURE_DEFINITIONS, FEATURE_SPEC_VERSION, type FeatureDefinition } from './definitions';
import { CURRENCY_RATES } from './currency-rates';
import { SET_HORIZON_SECONDS, TIERS, type TierSpec } from './profile-state';

/** Everything that determines a feature vector's meaning; its canonical JSON is what gets hashed. */
export interface FeatureSpec {
  readonly version: number;
  readonly names: readonly string[];
  readonly definitions: readonly FeatureDefinition[];
  readonly tiers: readonly TierSpec[];
  readonly setHorizonSeconds: number;
  /**
   * How amounts are made comparable: the reference currency, the rounding, and the rate table's
   * version. The rates themselves are not hashed: entries are only appended (see
   * currency-rates.ts), which changes no earlier event's features.
   */
  readonly amounts: { readonly reference: string; readonly rounding: string; readonly rateTableVersion: number };
}

/** The running feature spec. */
export function featureSpec(): FeatureSpec {
  return {
    version: FEATURE_SPEC_VERSION,
    names: FEATURE_DEFINITIONS.map((d) => d.name),
    definitions: FEATURE_DEFINITIONS,
    tiers: TIERS,
    setHorizonSeconds: SET_HORIZON_SECONDS,
    amounts: { reference: CURRENCY_RATES.reference, rounding: 'cents, half away from zero, at the rate of the event day', rateTableVersion: CURRENCY_RATES.version },
  };
}

/**
 * Canonical JSON of a value: object keys sorted, no whitespace. The spec hash is the SHA-256 of
 * `canonicalJson(featureSpec())` (computed outside this pure package).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
