import { applyTransaction, computeFeatures, emptyProfile, formatRfc3339, warmProfiles, type ProfileState, type Transaction } from '../../../features';

const T0 = Date.UTC(2018, 3, 1) / 1000;
const txn = (i: number): Transaction => ({ transactionId: `t${i}`, timestamp: formatRfc3339(T0 + i * 5_000), userId: 'u', merchantId: `m${i % 3}`, amountMinor: 100 + i, currency: 'EUR', channel: 'ecommerce', merchantCountry: 'FR' });
const copy = (p: ProfileState) => ({ lastSeen: p.lastSeen, total: p.total, data: Array.from(p.data), sets: Object.fromEntries(Object.entries(p.sets).map(([k, m]) => [k, [...m]])) });

describe('warmProfiles', () => {
  it('changes neither profile nor the features computed from them', () => {
    const user = emptyProfile();
    const merchant = emptyProfile();
    for (let i = 0; i < 40; i++) {
      applyTransaction(user, 'user', txn(i));
      applyTransaction(merchant, 'merchant', txn(i));
    }
    const before = [copy(user), copy(merchant)];
    const features = computeFeatures(txn(40), user, merchant);
    expect(typeof warmProfiles(user, merchant)).toBe('number');
    expect([copy(user), copy(merchant)]).toEqual(before);
    expect(computeFeatures(txn(40), user, merchant)).toEqual(features);
  });
});
