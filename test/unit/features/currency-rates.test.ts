import {
  applyTransaction,
  computeFeatures,
  CURRENCY_RATES,
  emptyProfile,
  FEATURE_NAMES,
  formatRfc3339,
  rateTableDate,
  referenceCents,
  type Transaction,
} from '../../../features';
import { createValidators } from '../../../src/validation/validators';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('amounts in one currency', () => {
  it('converts minor units of any tabled currency to euro cents at the rate of the event day', () => {
    expect(referenceCents(12_345, 'EUR', at('2018-06-01T00:00:00Z'))).toBe(12_345);
    // 13,535 yen at 135.35 to the euro (the 2018 entry) is exactly 100 euros.
    expect(referenceCents(13_535, 'JPY', at('2018-06-01T00:00:00Z'))).toBe(10_000);
    // The same yen on a day of the 2022 entry (130.93) are worth more.
    expect(referenceCents(13_535, 'JPY', at('2023-03-01T12:00:00Z'))).toBe(Math.round(1_353_500 / 130.93));
    expect(rateTableDate(at('2023-03-01T12:00:00Z'))).toBe('2022-01-01');
    // Before the first entry: the first entry's rates.
    expect(rateTableDate(at('2017-05-01T00:00:00Z'))).toBe('2018-01-01');
    // Half away from zero, to the cent: 1.2065 dollars to the euro.
    expect(referenceCents(100, 'USD', at('2018-06-01T00:00:00Z'))).toBe(Math.round(100 / 1.2065));
    expect(() => referenceCents(1_000, 'KWD', at('2018-06-01T00:00:00Z'))).toThrow('no reference rate for KWD on 2018-01-01');
  });

  it('keeps the table sorted by date, with a rate for every currency of the first entry in every later one', () => {
    const dates = CURRENCY_RATES.entries.map((e) => e.from);
    expect([...dates].sort()).toEqual(dates);
    const first = Object.keys(CURRENCY_RATES.entries[0].perReference);
    for (const e of CURRENCY_RATES.entries) {
      expect(Object.keys(e.perReference)).toEqual(expect.arrayContaining(first));
      for (const rate of Object.values(e.perReference)) expect(rate).toBeGreaterThan(0);
    }
  });

  it('a customer paying in yen gets the amount features of one paying the same value in euros', () => {
    const start = at('2018-06-04T08:00:00Z');
    const history = (currency: string, unit: number, user: string, merchant: string): Float32Array => {
      const u = emptyProfile();
      const m = emptyProfile();
      let features: Float32Array = new Float32Array(0);
      // Four payments of 100, 40, 250 and 100 euros' worth over three days.
      [100, 40, 250, 100].forEach((euros, k) => {
        const t = start + k * 20 * 3_600;
        const txn: Transaction = { transactionId: `${user}-${k}`, timestamp: formatRfc3339(t), userId: user, merchantId: merchant, amountMinor: euros * unit, currency, channel: 'ecommerce' };
        features = computeFeatures(txn, u, m);
        applyTransaction(u, 'user', txn, t);
        applyTransaction(m, 'merchant', txn, t);
      });
      return features;
    };
    const euros = history('EUR', 100, 'eur-user', 'eur-shop');
    const yen = history('JPY', 135.35, 'jpy-user', 'jpy-shop');
    const named = (v: Float32Array) => Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, v[i]]));
    expect(named(yen)).toEqual(named(euros));
    expect(named(yen).amount).toBe(100);
    expect(named(yen).user_avg_amount_7d).toBeGreaterThan(0);
  });

  it('refuses, naming /currency, a transaction in a currency the table has no rate for on its date', () => {
    const v = createValidators();
    const txn = { transactionId: 't1', timestamp: '2018-06-01T10:00:00Z', userId: 'u1', merchantId: 'm1', amountMinor: 1_000, currency: 'KWD' };
    expect(v.transaction(txn)).toBe(false);
    expect(v.transaction.errors()).toEqual([{ path: '/currency', message: 'has no rate to EUR in the reference-rate table in force on that date (from 2018-01-01); see features/currency-rates.ts' }]);
    expect(v.transaction({ ...txn, currency: 'CHF' })).toBe(true);
    expect(v.streamTransaction({ ...txn, type: 'transaction' })).toBe(false);
  });
});
