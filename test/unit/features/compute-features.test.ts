import {
  applyLabel,
  applyTransaction,
  computeFeatures,
  emptyProfile,
  FEATURE_COUNT,
  FEATURE_NAMES,
  fraudIndicatorChange,
  formatRfc3339,
  type Transaction,
} from '../../../features';

// 2018-04-07 is a Saturday.
const SAT = Date.UTC(2018, 3, 7) / 1000;

function txn(id: string, t: number, over: Partial<Transaction> = {}): Transaction {
  return { transactionId: id, timestamp: formatRfc3339(t), userId: 'u1', merchantId: 'm1', amountMinor: 1000, currency: 'EUR', ...over };
}

function byName(v: Float32Array): Record<string, number> {
  return Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, v[i]!]));
}

describe('computeFeatures', () => {
  it('returns one float32 per spec feature, with unique names', () => {
    expect(FEATURE_COUNT).toBe(FEATURE_NAMES.length);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_COUNT);
    expect(computeFeatures(txn('a', SAT), emptyProfile(), emptyProfile())).toHaveLength(FEATURE_COUNT);
  });

  it('computes transaction features in the timestamp\'s own offset', () => {
    // 23:30 UTC on Friday 2018-04-06 is 01:30 on Saturday at +02:00.
    const t: Transaction = { ...txn('a', 0), timestamp: '2018-04-07T01:30:00+02:00', amountMinor: 12345, currency: 'JPY', channel: 'atm', mcc: '6011', merchantCountry: 'DE', userCountry: 'FR' };
    const f = byName(computeFeatures(t, emptyProfile(), emptyProfile()));
    // 12,345 JPY in euros at the 2018 table rate (135.35 yen to the euro), to the cent.
    expect(f).toMatchObject({ amount: Math.fround(91.21), tx_local_hour: 1, tx_is_weekend: 1, tx_is_night: 1, tx_channel: 3, tx_mcc: 6011, tx_country_mismatch: 1 });
    const utc = byName(computeFeatures({ ...t, timestamp: '2018-04-06T23:30:00Z', currency: 'EUR' }, emptyProfile(), emptyProfile()));
    expect(utc).toMatchObject({ amount: Math.fround(123.45), tx_local_hour: 23, tx_is_weekend: 0, tx_is_night: 0 });
  });

  it('gives NaN, not a made-up value, for absent optional inputs', () => {
    const f = byName(computeFeatures(txn('a', SAT), emptyProfile(), emptyProfile()));
    for (const n of ['tx_channel', 'tx_mcc', 'tx_country_mismatch', 'user_channel_new', 'user_country_new', 'user_seconds_since_last', 'user_avg_amount_30d', 'user_amount_to_avg_30d', 'merchant_risk_30d']) {
      expect([n, f[n]]).toEqual([n, Number.NaN]);
    }
    expect(f).toMatchObject({ user_count_30d: 0, user_merchant_new: 1, merchant_count_1d: 0, merchant_known_frauds_30d: 0 });
  });

  it('gives NaN for every entity feature of an unavailable profile', () => {
    const f = byName(computeFeatures(txn('a', SAT), null, null));
    for (const n of FEATURE_NAMES.filter((x) => x.startsWith('user_') || x.startsWith('merchant_'))) expect([n, f[n]]).toEqual([n, Number.NaN]);
    expect(f.amount).toBe(10);
  });

  it('aggregates history from before the transaction', () => {
    const user = emptyProfile();
    const merchant = emptyProfile();
    const history = [
      txn('h1', SAT - 20 * 86_400, { amountMinor: 2000 }), // in 30d only
      txn('h2', SAT - 3 * 86_400, { amountMinor: 4000, channel: 'ecommerce', merchantCountry: 'FR' }), // 7d and 30d
      txn('h3', SAT - 1_800, { amountMinor: 6000, merchantId: 'm2' }), // all windows
    ];
    for (const h of history) {
      applyTransaction(user, 'user', h);
      applyTransaction(merchant, 'merchant', h);
    }
    applyLabel(merchant, { userId: 'u1', merchantId: 'm1', epochSeconds: SAT - 3 * 86_400 }, fraudIndicatorChange(null, 'fraud'));
    applyLabel(user, { userId: 'u1', merchantId: 'm1', epochSeconds: SAT - 3 * 86_400 }, fraudIndicatorChange(null, 'fraud'));
    const f = byName(computeFeatures(txn('now', SAT, { amountMinor: 8000, channel: 'ecommerce', merchantCountry: 'DE' }), user, merchant));
    expect(f).toMatchObject({
      user_count_1h: 1,
      user_amount_1h: 60,
      user_count_1d: 1,
      user_avg_amount_1d: 60,
      user_count_7d: 2,
      user_avg_amount_7d: 50,
      user_count_30d: 3,
      user_avg_amount_30d: 40,
      user_amount_to_avg_30d: 2,
      user_known_frauds_30d: 1,
      user_seconds_since_last: 1_800,
      user_merchant_new: 0,
      user_channel_new: 0,
      user_country_new: 1,
      merchant_count_30d: 3,
      merchant_known_frauds_7d: 1,
      merchant_risk_30d: Math.fround(1 / 3),
      merchant_risk_7d_delay7: Number.NaN, // days -13..-7 hold no transaction
      merchant_risk_30d_delay7: 0, // h1 at day -20 is in days -36..-7, unlabeled
    });
    // A later correction to "legitimate" takes the fraud back out.
    applyLabel(merchant, { userId: 'u1', merchantId: 'm1', epochSeconds: SAT - 3 * 86_400 }, fraudIndicatorChange('fraud', 'legitimate'));
    expect(byName(computeFeatures(txn('now', SAT), user, merchant)).merchant_known_frauds_7d).toBe(0);
  });

  it('does not see later history through seconds_since_last (clamped at 0)', () => {
    const user = emptyProfile();
    applyTransaction(user, 'user', txn('later', SAT + 60));
    expect(byName(computeFeatures(txn('now', SAT), user, emptyProfile())).user_seconds_since_last).toBe(0);
  });

  it('rejects a timestamp that is not RFC 3339', () => {
    expect(() => computeFeatures({ ...txn('a', SAT), timestamp: '2018-04-07' }, null, null)).toThrow('timestamp is not RFC 3339: 2018-04-07');
  });
});
