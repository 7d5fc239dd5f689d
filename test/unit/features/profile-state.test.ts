import fc from 'fast-check';
import {
  applyLabel,
  applyTransaction,
  computeFeatures,
  emptyProfile,
  FEATURE_NAMES,
  fraudIndicatorChange,
  TIERS,
  transactionDelta,
  applyDelta,
  FEATURE_DEFINITIONS,
  formatRfc3339,
  windowSum,
  copyProfile,
  tierTop,
  visibleBuckets,
  type CounterIncrement,
  type ProfileState,
  type Transaction,
} from '../../../features';

const T0 = 1_700_000_000 - (1_700_000_000 % 86_400); // a UTC midnight
const idx = (name: string) => FEATURE_NAMES.indexOf(name);

function txn(i: number, t: number, over: Partial<Transaction> = {}): Transaction {
  return {
    transactionId: `t${i}`,
    timestamp: formatRfc3339(t),
    userId: 'u1',
    merchantId: `m${i % 3}`,
    amountMinor: 100 + i,
    currency: 'EUR',
    ...over,
  };
}

function features(state: ProfileState, t: Transaction): Float32Array {
  return computeFeatures(t, state, state);
}

/** Reference count, straight from the documented rule, over raw event times. */
function referenceCount(events: readonly number[], t: number, tierIndex: number, buckets: number, delay: number): number {
  const tier = TIERS[tierIndex]!;
  const id = (s: number) => Math.floor(s / tier.bucketSeconds);
  if (events.length === 0) return 0;
  const top = Math.max(...events.map(id));
  const hi = id(t) - delay;
  const lo = hi - buckets + 1;
  return events.filter((e) => id(e) >= lo && id(e) <= hi && id(e) > top - tier.length).length;
}

describe('profile state', () => {
  it('applying the same transactions in any order gives identical features', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 45 * 86_400 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 46 * 86_400 }),
        fc.integer(),
        (offsets, queryOffset, seed) => {
          const txns = offsets.map((o, i) => txn(i, T0 + o));
          const shuffled = fc.sample(fc.shuffledSubarray(txns, { minLength: txns.length, maxLength: txns.length }), { numRuns: 1, seed })[0]!;
          const a = emptyProfile();
          const b = emptyProfile();
          for (const x of txns) applyTransaction(a, 'user', x);
          for (const x of shuffled) applyTransaction(b, 'user', x);
          const q = txn(999, T0 + queryOffset);
          expect(Buffer.from(features(a, q).buffer)).toEqual(Buffer.from(features(b, q).buffer));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('events inside one bucket commute exactly (counts, sums, sets)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 299 }), { minLength: 2, maxLength: 20 }), (secs) => {
        const txns = secs.map((s, i) => txn(i, T0 + 3_600 + s));
        const fwd = emptyProfile();
        const rev = emptyProfile();
        for (const x of txns) applyTransaction(fwd, 'user', x);
        for (const x of [...txns].reverse()) applyTransaction(rev, 'user', x);
        const q = txn(99, T0 + 3_600 + 299);
        expect(Array.from(features(fwd, q))).toEqual(Array.from(features(rev, q)));
      }),
    );
  });

  it('window counts match the documented bucket rule to the second', () => {
    const windows = [
      ['user_count_1h', 0, 12, 0],
      ['user_count_1d', 1, 24, 0],
      ['user_count_7d', 2, 7, 0],
      ['user_count_30d', 2, 30, 0],
    ] as const;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 * 86_400 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 50 * 86_400 }),
        (offsets, q) => {
          const state = emptyProfile();
          const times = offsets.map((o) => T0 + o);
          times.forEach((t, i) => applyTransaction(state, 'user', txn(i, t)));
          const f = features(state, txn(500, T0 + q));
          for (const [name, tier, k, delay] of windows) expect(f[idx(name)]).toBe(referenceCount(times, T0 + q, tier, k, delay));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('puts the first second of a window in and the second before it out', () => {
    const query = T0 + 10 * 86_400 + 5_000; // day 10, 01:23:20
    const firstIn7d = T0 + 4 * 86_400; // 7-day window = days 4..10
    for (const [t, expected] of [
      [firstIn7d, 1],
      [firstIn7d - 1, 0],
    ] as const) {
      const s = emptyProfile();
      applyTransaction(s, 'user', txn(1, t));
      expect(features(s, txn(2, query))[idx('user_count_7d')]).toBe(expected);
    }
    const firstIn1h = Math.floor(query / 300) * 300 - 11 * 300; // 12 five-minute buckets
    for (const [t, expected] of [
      [firstIn1h, 1],
      [firstIn1h - 1, 0],
    ] as const) {
      const s = emptyProfile();
      applyTransaction(s, 'user', txn(1, t));
      expect(features(s, txn(2, query))[idx('user_count_1h')]).toBe(expected);
    }
  });

  it('a label never changes the features of transactions scored before it arrived', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 * 86_400 }), { minLength: 2, maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        (offsets, labeledPick, arrivalPick) => {
          const txns = [...offsets].sort((a, b) => a - b).map((o, i) => txn(i, T0 + o, { merchantId: 'm0' }));
          const labeled = txns[labeledPick % txns.length]!;
          const arrival = arrivalPick % (txns.length + 1); // the label arrives before txns[arrival]
          const run = (withLabel: boolean) => {
            const user = emptyProfile();
            const merchant = emptyProfile();
            const out: Float32Array[] = [];
            txns.forEach((x, i) => {
              if (withLabel && i === arrival) {
                const ref = { userId: 'u1', merchantId: 'm0', epochSeconds: Date.parse(labeled.timestamp) / 1000 };
                applyLabel(user, ref, fraudIndicatorChange(null, 'fraud'));
                applyLabel(merchant, ref, fraudIndicatorChange(null, 'fraud'));
              }
              out.push(computeFeatures(x, user, merchant));
              applyTransaction(user, 'user', x);
              applyTransaction(merchant, 'merchant', x);
            });
            return out;
          };
          const without = run(false);
          const withL = run(true);
          for (let i = 0; i < arrival; i++) expect(Array.from(withL[i]!)).toEqual(Array.from(without[i]!));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('invisible buckets drop out: a bucket older than the tier length is gone for good', () => {
    const s = emptyProfile();
    applyTransaction(s, 'user', txn(1, T0));
    applyTransaction(s, 'user', txn(2, T0 + 41 * 86_400)); // d1 top moves 41 days: day 0 leaves the 38-day ring
    applyTransaction(s, 'user', txn(3, T0 + 60)); // late arrival into the expired bucket: dropped
    const q = txn(4, T0 + 20 * 86_400);
    expect(features(s, q)[idx('user_count_30d')]).toBe(0);
  });

  it('applyTransaction is exactly applyDelta(transactionDelta(...))', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 45 * 86_400 }), fc.constantFrom(undefined, 'atm', 'ecommerce'), fc.constantFrom(undefined, 'DE', 'FR'), fc.integer({ min: 0, max: 200 })), { maxLength: 60 }),
        (rows) => {
          const fast = emptyProfile();
          const viaDelta = emptyProfile();
          rows.forEach(([o, channel, country, m], i) => {
            const t = txn(i, T0 + o, { merchantId: `m${m}`, ...(channel ? { channel } : {}), ...(country ? { merchantCountry: country } : {}) });
            applyTransaction(fast, 'user', t);
            applyDelta(viaDelta, transactionDelta('user', t));
          });
          expect(fast.lastSeen).toBe(viaDelta.lastSeen);
          expect(fast.total).toBe(viaDelta.total);
          expect(Array.from(fast.data)).toEqual(Array.from(viaDelta.data));
          expect([...fast.sets.merchants]).toEqual([...viaDelta.sets.merchants]);
          expect([...fast.sets.channels]).toEqual([...viaDelta.sets.channels]);
          expect([...fast.sets.countries]).toEqual([...viaDelta.sets.countries]);
        },
      ),
    );
  });

  it('every window feature equals the reference windowSum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 * 86_400 }), fc.integer({ min: 1, max: 100_000 }), fc.boolean()), { maxLength: 50 }),
        fc.integer({ min: 0, max: 50 * 86_400 }),
        (rows, q) => {
          const s = emptyProfile();
          rows.forEach(([o, amount, fraud], i) => {
            applyTransaction(s, 'user', txn(i, T0 + o, { amountMinor: amount }));
            if (fraud) applyLabel(s, { userId: 'u1', merchantId: 'm', epochSeconds: T0 + o }, 1);
          });
          const t = T0 + q;
          const f = features(s, txn(900, t, { amountMinor: 5_000 }));
          for (const def of FEATURE_DEFINITIONS) {
            if (def.kind !== 'window') continue;
            const ti = TIERS.findIndex((x) => x.name === def.window.tier);
            const to = Math.floor(t / TIERS[ti]!.bucketSeconds) - def.window.delay;
            const from = to - def.window.buckets + 1;
            const n = windowSum(s, ti, 'n', from, to);
            const sum = windowSum(s, ti, 's', from, to);
            const fr = windowSum(s, ti, 'f', from, to);
            const expected = {
              count: n,
              sum_amount: sum / 100,
              avg_amount: n === 0 ? NaN : sum / 100 / n,
              known_frauds: fr,
              fraud_rate: n === 0 ? NaN : fr / n,
              amount_to_avg: n === 0 || sum === 0 ? NaN : 50 / (sum / 100 / n),
              latest_fraud_age: (() => {
                for (let age = def.window.delay; age < def.window.delay + def.window.buckets; age++) {
                  const id = Math.floor(t / TIERS[ti]!.bucketSeconds) - age;
                  if (windowSum(s, ti, 'f', id, id) > 0) return age;
                }
                return NaN;
              })(),
              earliest_fraud_age: (() => {
                for (let age = def.window.delay + def.window.buckets - 1; age >= def.window.delay; age--) {
                  const id = Math.floor(t / TIERS[ti]!.bucketSeconds) - age;
                  if (windowSum(s, ti, 'f', id, id) > 0) return age;
                }
                return NaN;
              })(),
            }[def.aggregate];
            expect([def.name, f[idx(def.name)]]).toEqual([def.name, Math.fround(expected)]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds exactly the buckets the merge rule makes visible, for counter deltas in any order', () => {
    const increment = fc.record({
      tier: fc.integer({ min: 0, max: TIERS.length - 1 }),
      bucket: fc.integer({ min: -60, max: 120 }),
      field: fc.constantFrom('n' as const, 's' as const, 'f' as const),
      by: fc.integer({ min: -5, max: 1_000 }),
    });
    fc.assert(
      fc.property(fc.array(increment, { maxLength: 80 }), (counters: CounterIncrement[]) => {
        const state = emptyProfile();
        for (const c of counters) applyDelta(state, { counters: [c], seenAt: null, total: 0, members: [] });
        TIERS.forEach((tier, i) => {
          // Reference: top = the largest id ever incremented; visible = the ids above top - length,
          // each holding the sum of every increment it received (none of those was dropped).
          const mine = counters.filter((c) => c.tier === i);
          const top = Math.max(...mine.map((c) => c.bucket));
          const sums = new Map<number, [number, number, number]>();
          for (const c of mine) {
            const [n, s, f] = sums.get(c.bucket) ?? [0, 0, 0];
            sums.set(c.bucket, [n + (c.field === 'n' ? c.by : 0), s + (c.field === 's' ? c.by : 0), f + (c.field === 'f' ? c.by : 0)]);
          }
          const want: [number, number, number, number][] = [];
          for (let id = top; id > top - tier.length; id--) {
            const [n, s, f] = sums.get(id) ?? [0, 0, 0];
            if (n !== 0 || s !== 0 || f !== 0) want.push([id, n, s, f]);
          }
          expect([i, tierTop(state, i), visibleBuckets(state, i)]).toEqual([i, top, want]);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('copyProfile copies every part and shares none', () => {
    const a = emptyProfile();
    applyTransaction(a, 'user', txn(1, T0, { channel: 'atm', merchantCountry: 'DE' }));
    const b = copyProfile(a);
    applyTransaction(b, 'user', txn(2, T0 + 60, { channel: 'ecommerce', merchantCountry: 'FR' }));
    expect([a.total, a.sets.channels.size, visibleBuckets(a, 0)]).toEqual([1, 1, [[Math.floor(T0 / 300), 1, 101, 0]]]);
    expect([b.total, b.sets.channels.size, visibleBuckets(b, 0)]).toEqual([2, 2, [[Math.floor(T0 / 300), 2, 203, 0]]]);
  });

  it('transaction deltas are plain data a store can apply', () => {
    const d = transactionDelta('user', txn(7, T0 + 3_600, { channel: 'atm', merchantCountry: 'DE' }));
    expect(d.seenAt).toBe(T0 + 3_600);
    expect(d.total).toBe(1);
    expect(d.counters).toHaveLength(6);
    expect(d.members.map((m) => m.set)).toEqual(['merchants', 'channels', 'countries']);
    const s = emptyProfile();
    applyDelta(s, d);
    applyDelta(s, d);
    expect(s.total).toBe(2);
    expect(transactionDelta('merchant', txn(7, T0)).members).toEqual([]);
  });
});

describe('set sweeping', () => {
  it('keeps a long-lived user\'s merchant set bounded without changing which merchants are new', () => {
    const user = emptyProfile();
    const DAY = 86_400;
    // 2,000 distinct merchants, one a day: at most ~90 are visible at any time.
    for (let i = 0; i < 2_000; i++) {
      const t = txn(i, T0 + i * DAY, { merchantId: `shop${i}` });
      applyTransaction(user, 'user', t);
    }
    expect(user.sets.merchants.size).toBeLessThanOrEqual(96 + 32);
    const last = T0 + 2_000 * DAY;
    const isNew = (merchantId: string) => features(user, txn(0, last, { merchantId }))[idx('user_merchant_new')];
    expect(isNew('shop1999')).toBe(0);
    expect(isNew('shop1911')).toBe(0); // 89 days before the latest transaction: still visible
    expect(isNew('shop1909')).toBe(1); // 91 days: gone, swept or not
    expect(isNew('shop5')).toBe(1);
  });

  it('applies a transaction and its delta to the same visible sets', () => {
    const a = emptyProfile();
    const b = emptyProfile();
    for (let i = 0; i < 500; i++) {
      const t = txn(i, T0 + i * 40_000, { merchantId: `shop${i % 170}`, channel: 'ecommerce', merchantCountry: i % 2 === 0 ? 'BE' : 'FR' });
      applyTransaction(a, 'user', t);
      applyDelta(b, transactionDelta('user', t));
    }
    expect([...a.sets.merchants]).toEqual([...b.sets.merchants]);
    expect([...a.sets.countries]).toEqual([...b.sets.countries]);
  });
});
