import fc from 'fast-check';
import { applyTransaction, computeFeatures, emptyProfile, FEATURE_DEFINITIONS, formatRfc3339, TIERS, TIER_INDEX, type Transaction, type WindowSpec } from '../../../features';
import { configSchema } from '../../../src/config/config';

// The service refuses events more than EVENT_MAX_SKEW_S ahead of its clock. Within that bound, one
// event ahead of "now" raises a tier's top by one bucket at most, and every tier keeps one bucket
// beyond its longest window: the current windows stay in view whatever arrives, in any order.

const MAX_SKEW_S = configSchema.properties.EVENT_MAX_SKEW_S.maximum;
const T0 = 1_700_000_000 - (1_700_000_000 % 86_400); // a UTC midnight

interface CountFeature {
  readonly name: string;
  readonly k: number;
  readonly window: WindowSpec;
}

const COUNT_FEATURES: readonly CountFeature[] = FEATURE_DEFINITIONS.flatMap((d, k) => (d.kind === 'window' && d.aggregate === 'count' ? [{ name: d.name, k, window: d.window }] : []));

const bucketSeconds = (w: WindowSpec) => (TIERS[TIER_INDEX[w.tier]] as (typeof TIERS)[number]).bucketSeconds;

/** The longest span any window feature reads, seconds. */
const MAX_WINDOW_S = Math.max(...FEATURE_DEFINITIONS.map((d) => (d.kind === 'window' ? (d.window.buckets + d.window.delay) * bucketSeconds(d.window) : 0)));

function txn(i: number, t: number): Transaction {
  return { transactionId: `t${i}`, timestamp: formatRfc3339(t), userId: 'u1', merchantId: 'm1', amountMinor: 100 + i, currency: 'EUR' };
}

/** Brute force, from the documented window rule: events whose bucket lies in the window of a transaction at `now`. */
function bruteCount(times: readonly number[], now: number, w: WindowSpec): number {
  const bucket = (s: number) => Math.floor(s / bucketSeconds(w));
  const hi = bucket(now) - w.delay;
  const lo = hi - w.buckets + 1;
  return times.filter((t) => bucket(t) >= lo && bucket(t) <= hi).length;
}

/** The count features of a transaction at `now` after `times` were applied in this order. */
function served(times: readonly number[], now: number): Record<string, number> {
  const user = emptyProfile();
  const merchant = emptyProfile();
  times.forEach((t, i) => {
    applyTransaction(user, 'user', txn(i, t));
    applyTransaction(merchant, 'merchant', txn(i, t));
  });
  const out = computeFeatures(txn(-1, now), user, merchant);
  return Object.fromEntries(COUNT_FEATURES.map((f) => [f.name, out[f.k] as number]));
}

/** Offsets from now up to `skew` ahead, as far back as the longest window; dense near each tier's window edges. */
function offsetArbitrary(skew: number): fc.Arbitrary<number> {
  return fc.oneof(...[3_900, 25 * 3_600, 8 * 86_400, MAX_WINDOW_S].map((back) => fc.integer({ min: -back, max: skew })));
}

describe('window counts under the enforced clock skew', () => {
  it('covers the count features of every tier', () => {
    expect(COUNT_FEATURES.map((f) => f.name)).toEqual(expect.arrayContaining(['user_count_1h', 'user_count_1d', 'user_count_7d', 'merchant_count_30d']));
    expect(MAX_SKEW_S).toBe(300);
  });

  it(`equal a brute-force count for events in [now - longest window, now + ${MAX_SKEW_S} s], applied in any order`, () => {
    fc.assert(
      fc.property(
        // Any position of "now" inside its 5-minute, hourly and daily buckets.
        fc.integer({ min: T0, max: T0 + 86_400 - 1 }),
        fc.array(fc.record({ offset: offsetArbitrary(MAX_SKEW_S), order: fc.nat() }), { maxLength: 40 }),
        (now, events) => {
          const times = events.map((e) => now + e.offset);
          const applied = [...events].sort((a, b) => a.order - b.order).map((e) => now + e.offset);
          const expected = Object.fromEntries(COUNT_FEATURES.map((f) => [f.name, bruteCount(times, now, f.window)]));
          expect(served(applied, now)).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps the current buckets at the skew bound and loses one a second beyond it (why EVENT_MAX_SKEW_S stops at 300)', () => {
    // The last second of 5-minute bucket b; an event 11 buckets back is the oldest of the hour window.
    const now = T0 + 3 * 3_600 + 299;
    const oldest = now - 11 * 300;
    expect(bruteCount([oldest], now, { tier: 'm5', buckets: 12, delay: 0 })).toBe(1);
    expect(served([oldest, now + MAX_SKEW_S], now).user_count_1h).toBe(1);
    // now + 301 lands in bucket b + 2: the ring of 13 no longer shows bucket b - 11.
    expect(served([oldest, now + MAX_SKEW_S + 1], now).user_count_1h).toBe(0);
  });
});
