import fc from 'fast-check';
import { applyLabel, applyTransaction, computeFeatures, emptyProfile, FEATURE_COUNT, FEATURE_ENTITY, FEATURE_NAMES, formatRfc3339, type Transaction } from '../../../features';

const T0 = Date.UTC(2018, 6, 1) / 1000;

function txn(i: number, t: number, merchantId: string, amountMinor: number, channel: Transaction['channel']): Transaction {
  return { transactionId: `t${i}`, timestamp: formatRfc3339(t), userId: 'u', merchantId, amountMinor, currency: 'EUR', ...(channel === undefined ? {} : { channel }), merchantCountry: 'FR', userCountry: 'DE' };
}

const historyArb = fc.array(
  fc.record({
    dt: fc.integer({ min: 0, max: 40 * 86_400 }),
    merchant: fc.constantFrom('m1', 'm2', 'm3'),
    amount: fc.integer({ min: 1, max: 500_000 }),
    channel: fc.constantFrom(undefined, 'ecommerce', 'atm') as fc.Arbitrary<Transaction['channel']>,
    fraud: fc.boolean(),
  }),
  { maxLength: 40 },
);

describe('FEATURE_ENTITY', () => {
  it('names a profile for every user_ and merchant_ feature and none for the transaction features', () => {
    expect(FEATURE_ENTITY).toHaveLength(FEATURE_COUNT);
    FEATURE_NAMES.forEach((name, i) => {
      const want = name.startsWith('user_') ? 'user' : name.startsWith('merchant_') ? 'merchant' : null;
      expect([name, FEATURE_ENTITY[i]]).toEqual([name, want]);
    });
  });

  it('splits every vector: each part is computed from its own profile alone, bit for bit', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: 41 * 86_400 }), fc.constantFrom('m1', 'm4'), (history, at, merchantId) => {
        const user = emptyProfile();
        const merchant = emptyProfile();
        history.forEach((h, i) => {
          const t = txn(i, T0 + h.dt, h.merchant, h.amount, h.channel);
          applyTransaction(user, 'user', t);
          if (h.merchant === merchantId) applyTransaction(merchant, 'merchant', t);
          if (h.fraud) {
            const labeled = { userId: 'u', merchantId: h.merchant, epochSeconds: T0 + h.dt };
            applyLabel(user, labeled, 1);
            if (h.merchant === merchantId) applyLabel(merchant, labeled, 1);
          }
        });
        const q = txn(999, T0 + at, merchantId, 12_345, 'ecommerce');
        const both = computeFeatures(q, user, merchant);
        const userOnly = computeFeatures(q, user, null);
        const merchantOnly = computeFeatures(q, null, merchant);
        const bits = (v: Float32Array, i: number) => Buffer.from(v.buffer, i * 4, 4).toString('hex');
        FEATURE_ENTITY.forEach((entity, i) => {
          const source = entity === 'merchant' ? merchantOnly : userOnly;
          expect([FEATURE_NAMES[i], bits(source, i)]).toEqual([FEATURE_NAMES[i], bits(both, i)]);
          // The other profile's absence shows: its features are NaN in the part computed without it.
          if (entity === 'user') expect(Number.isNaN(merchantOnly[i])).toBe(true);
          if (entity === 'merchant') expect(Number.isNaN(userOnly[i])).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });
});
