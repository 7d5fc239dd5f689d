import { FEATURE_NAMES, REASON_CATALOGUE, topReasons } from '../../../features';

describe('reason codes', () => {
  it('the catalogue names every feature of the spec and nothing else, with stable upper-case codes and short texts', () => {
    expect(Object.keys(REASON_CATALOGUE).sort()).toEqual([...FEATURE_NAMES].sort());
    for (const entry of Object.values(REASON_CATALOGUE)) {
      for (const { code, text } of [entry, ...(entry.whenMissing === undefined ? [] : [entry.whenMissing])]) {
        expect(code).toMatch(/^[A-Z][A-Z0-9_]{2,40}$/);
        expect(text.length).toBeGreaterThan(5);
        expect(text.length).toBeLessThanOrEqual(80);
        expect(text).not.toMatch(/\.$/);
      }
    }
    // A code means one thing: every feature sharing a code shares its text.
    const texts = new Map<string, string>();
    for (const entry of Object.values(REASON_CATALOGUE)) {
      for (const { code, text } of [entry, ...(entry.whenMissing === undefined ? [] : [entry.whenMissing])]) {
        expect(texts.get(code) ?? text).toBe(text);
        texts.set(code, text);
      }
    }
  });

  it('names the largest contributions towards fraud, one per code, largest first, up to the limit', () => {
    const names = ['amount', 'user_merchant_new', 'merchant_risk_30d', 'merchant_known_frauds_7d', 'user_seconds_since_last', 'tx_is_night'];
    const values = [950, 1, 0.4, 3, Number.NaN, 0];
    const contributions = [2.5, 0.7, 1.2, 1.9, 0.9, -0.3, /* bias */ -4];
    expect(topReasons(names, values, contributions, 3)).toEqual([
      { code: 'AMOUNT_LARGE', text: 'a large amount', feature: 'amount', value: 950, contribution: 2.5 },
      { code: 'MERCHANT_RECENT_FRAUD', text: 'merchant with recent confirmed fraud', feature: 'merchant_known_frauds_7d', value: 3, contribution: 1.9 },
      // A missing value has its own reason where the catalogue says so (a new customer).
      { code: 'NEW_CUSTOMER', text: 'first payment we have seen from you', feature: 'user_seconds_since_last', value: null, contribution: 0.9 },
    ]);
    // Negative contributions (towards a legitimate payment) are never reasons.
    expect(topReasons(names, values, contributions.map((c) => -Math.abs(c)), 3)).toEqual([]);
  });
});

describe('reason codes and missing values', () => {
  it('a missing value is a reason only where it means something, and never when profiles were not read', () => {
    const names = ['tx_channel', 'user_seconds_since_last', 'amount'];
    const values = [Number.NaN, Number.NaN, 20];
    const contributions = [1.5, 1.0, 0.2];
    expect(topReasons(names, values, contributions, 3).map((r) => r.code)).toEqual(['NEW_CUSTOMER', 'AMOUNT_LARGE']);
    expect(topReasons(names, values, contributions, 3, false).map((r) => r.code)).toEqual(['AMOUNT_LARGE']);
  });
});
