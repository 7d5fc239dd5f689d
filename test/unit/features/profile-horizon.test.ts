import fc from 'fast-check';
import {
  applyLabel,
  applyTransaction,
  computeFeatures,
  emptyProfile,
  FEATURE_NAMES,
  forgottenFrom,
  formatRfc3339,
  PROFILE_HORIZON_SECONDS,
  SET_HORIZON_SECONDS,
  TIERS,
  type ProfileState,
  type Transaction,
} from '../../../features';

const DAY = 86_400;
const T0 = 1_700_000_000 - (1_700_000_000 % DAY); // a UTC midnight

/** One change to the entity: a transaction at `t`, or a label (±1 fraud) for the transaction at index `of`. */
type Change = { readonly kind: 'txn'; readonly t: number; readonly merchant: number; readonly channel?: Transaction['channel']; readonly country?: string } | { readonly kind: 'label'; readonly of: number; readonly by: 1 | -1 };

/** The entity is user `u` of every transaction and merchant `m0` of every transaction, so one history fills both roles' profiles. */
function transaction(i: number, c: Extract<Change, { kind: 'txn' }>): Transaction {
  return {
    transactionId: `t${i}`,
    timestamp: formatRfc3339(c.t),
    userId: 'u',
    merchantId: `m${c.merchant}`,
    amountMinor: 100 + i,
    currency: 'EUR',
    ...(c.channel === undefined ? {} : { channel: c.channel }),
    ...(c.country === undefined ? {} : { merchantCountry: c.country, userCountry: 'FR' }),
  };
}

interface Entity {
  readonly user: ProfileState;
  readonly merchant: ProfileState;
}

/** Applies `changes` to `e`; labels refer to transactions by their index in `txns` (every transaction applied so far, whichever entity state saw it). */
function apply(e: Entity, changes: readonly Change[], txns: Transaction[], score?: (t: Transaction) => void): void {
  for (const c of changes) {
    if (c.kind === 'txn') {
      const t = transaction(txns.length, c);
      txns.push(t);
      score?.(t);
      applyTransaction(e.user, 'user', t);
      applyTransaction(e.merchant, 'merchant', t);
    } else if (txns.length > 0) {
      const of = txns[c.of % txns.length] as Transaction;
      const ref = { userId: 'u', merchantId: of.merchantId, epochSeconds: Date.parse(of.timestamp) / 1000 };
      applyLabel(e.user, ref, c.by);
      applyLabel(e.merchant, ref, c.by);
    }
  }
}

/** Differences between two vectors, compared as float32 bit patterns (NaN equals NaN, nothing else does). */
function bitDiff(a: Float32Array, b: Float32Array): string[] {
  const x = new Uint32Array(a.buffer);
  const y = new Uint32Array(b.buffer);
  return FEATURE_NAMES.flatMap((name, i) => (x[i] === y[i] ? [] : [`${name}: idle ${a[i]}, fresh ${b[i]}`]));
}

const channel = fc.option(fc.constantFrom('card_present', 'contactless', 'ecommerce', 'atm') as fc.Arbitrary<NonNullable<Transaction['channel']>>, { nil: undefined });
const country = fc.option(fc.constantFrom('FR', 'DE', 'US'), { nil: undefined });
const label = fc.record({ kind: fc.constant('label' as const), of: fc.nat(), by: fc.constantFrom(1 as const, -1 as const) });
/** Transactions `span` seconds wide (from some start), with labels for any transaction seen before them. */
const changes = (span: number, maxLength: number) =>
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('txn' as const), t: fc.integer({ min: 0, max: span }), merchant: fc.integer({ min: 0, max: 3 }), channel, country }) },
      { weight: 1, arbitrary: label },
    ),
    { maxLength },
  );

describe('the profile horizon', () => {
  it('is the longest a feature looks back: the set horizon and every tier\'s span', () => {
    expect(PROFILE_HORIZON_SECONDS).toBe(90 * DAY);
    expect(PROFILE_HORIZON_SECONDS).toBeGreaterThanOrEqual(SET_HORIZON_SECONDS);
    for (const tier of TIERS) expect(PROFILE_HORIZON_SECONDS).toBeGreaterThanOrEqual(tier.bucketSeconds * tier.length);
  });

  it('an entity idle past the horizon scores exactly as a new one: every feature of every later transaction', () => {
    fc.assert(
      fc.property(
        changes(120 * DAY, 40),
        // The idle gap after the history's last transaction: at least the horizon, up to 200 days more.
        fc.integer({ min: 0, max: 200 * DAY }),
        // After the gap: transactions within 60 days (in any order), labels for any transaction (late ones for the history too).
        changes(60 * DAY, 12).filter((c) => c.some((x) => x.kind === 'txn')),
        (history, extra, after) => {
          const idle: Entity = { user: emptyProfile(), merchant: emptyProfile() };
          const txns: Transaction[] = [];
          apply(idle, history.map((c) => (c.kind === 'txn' ? { ...c, t: T0 + c.t } : c)), txns);
          const last = Math.max(T0, ...txns.map((t) => Date.parse(t.timestamp) / 1000));
          const resume = last + PROFILE_HORIZON_SECONDS + extra;
          // What the history leaves visible ends by the horizon after its last transaction.
          expect(forgottenFrom(idle.user)).toBeLessThanOrEqual(last + PROFILE_HORIZON_SECONDS);
          expect(forgottenFrom(idle.merchant)).toBeLessThanOrEqual(last + PROFILE_HORIZON_SECONDS);

          const fresh: Entity = { user: emptyProfile(), merchant: emptyProfile() };
          const diffs: string[] = [];
          const freshTxns = [...txns];
          const post = after.map((c) => (c.kind === 'txn' ? { ...c, t: resume + c.t } : c));
          // Both see the same post-gap changes; each transaction is scored on both before it is applied.
          const scored: Float32Array[] = [];
          apply(idle, post, txns, (t) => scored.push(computeFeatures(t, idle.user, idle.merchant)));
          let k = 0;
          apply(fresh, post, freshTxns, (t) => {
            diffs.push(...bitDiff(scored[k] as Float32Array, computeFeatures(t, fresh.user, fresh.merchant)).map((d) => `${t.transactionId} ${d}`));
            k++;
          });
          expect(diffs).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts the latest earlier transaction as none once it is a horizon old, and a set member likewise', () => {
    const user = emptyProfile();
    const at = T0 + 3_600;
    applyTransaction(user, 'user', transaction(0, { kind: 'txn', t: at, merchant: 1, channel: 'atm', country: 'DE' }));
    const named = (t: number) => {
      const f = computeFeatures(transaction(1, { kind: 'txn', t, merchant: 1, channel: 'atm', country: 'DE' }), user, emptyProfile());
      return ['user_seconds_since_last', 'user_merchant_new', 'user_channel_new', 'user_country_new'].map((n) => f[FEATURE_NAMES.indexOf(n)]);
    };
    expect(named(at + PROFILE_HORIZON_SECONDS - 1)).toEqual([PROFILE_HORIZON_SECONDS - 1, 0, 0, 0]);
    expect(named(at + PROFILE_HORIZON_SECONDS)).toEqual([Number.NaN, 1, 1, 1]);
    expect(named(at + 92 * DAY)).toEqual([Number.NaN, 1, 1, 1]);
    // A transaction from before the latest one still sees it (0: a later one was seen), and the members.
    expect(named(at - 60)).toEqual([0, 0, 0, 0]);
  });

  it('an empty profile is forgotten from the start; a label alone is forgotten once its day leaves the daily ring', () => {
    expect(forgottenFrom(emptyProfile())).toBe(Number.NEGATIVE_INFINITY);
    const p = emptyProfile();
    applyLabel(p, { userId: 'u', merchantId: 'm', epochSeconds: T0 + 100 }, 1);
    const d1 = TIERS[2] as (typeof TIERS)[number];
    expect(forgottenFrom(p)).toBe(T0 + d1.length * d1.bucketSeconds);
  });
});
