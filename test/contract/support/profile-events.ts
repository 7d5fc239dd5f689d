import fc from 'fast-check';
import { formatRfc3339, labelDelta, transactionDelta, transactionTime, type EntityRole, type ProfileDelta, type Transaction } from '../../../features';
import type { EntityOutcome, ProfileStore } from '../../../src/store/profile-store';
import { seededRandom as prngImpl } from '../../support/seeded-random';

/** One change to one profile, as the suite generates them. */
export interface ProfileUpdate {
  readonly role: EntityRole;
  readonly id: string;
  readonly delta: ProfileDelta;
}

let claims = 0;

/**
 * Steps every update as a delta change, each under a claim of its own, all sent together.
 * Resolves with the outcomes in order; rejects with the first failure.
 */
export function applyUpdates(store: ProfileStore, updates: readonly ProfileUpdate[]): Promise<EntityOutcome[]> {
  return Promise.all(store.step(updates.map((u) => ({ role: u.role, id: u.id, claim: `update-${++claims}`, change: { kind: 'delta' as const, delta: u.delta } }))));
}

/** A small deterministic PRNG for shuffles and splits derived from a fast-check seed. */
export const prng = prngImpl;

/** A UTC midnight; scenario times are offsets from it. */
export const T0 = 1_700_000_000 - (1_700_000_000 % 86_400);

// Ids with '.', ':' and '-' exercise key escaping (sub-document paths, Redis hash tags).
export const USERS = ['u.1', 'u:2'] as const;
export const MERCHANTS = ['m-1', 'm.2', 'm3'] as const;

/** A transaction, or a label arriving later for the transaction at `index` (earlier in the list). */
export type ScenarioEvent = { readonly kind: 'txn'; readonly txn: Transaction } | { readonly kind: 'label'; readonly index: number; readonly change: 1 | -1 };

export function txn(i: number, t: number, over: Partial<Transaction> = {}): Transaction {
  return { transactionId: `t${i}`, timestamp: formatRfc3339(t), userId: USERS[0], merchantId: MERCHANTS[0], amountMinor: 1_000 + i, currency: 'EUR', ...over };
}

/** Seconds after T0: mostly within a few hours of a handful of days (rings fill and recycle), sometimes months apart (windows and the set horizon expire). */
const offsetArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 * 3_600 })).map(([d, s]) => d * 86_400 + s),
  fc.integer({ min: 0, max: 100 * 86_400 }),
);

const txnArb = fc.record({
  offset: offsetArb,
  user: fc.constantFrom(...USERS),
  merchant: fc.constantFrom(...MERCHANTS),
  amountMinor: fc.integer({ min: 1, max: 10_000_000 }),
  currency: fc.constantFrom('EUR', 'JPY', 'BHD'),
  channel: fc.option(fc.constantFrom('card_present', 'contactless', 'ecommerce', 'atm') as fc.Arbitrary<NonNullable<Transaction['channel']>>, { nil: undefined }),
  merchantCountry: fc.option(fc.constantFrom('FR', 'DE', 'US'), { nil: undefined }),
});

/** Random event lists in arrival order: transactions, and labels (±1 fraud) for earlier ones. */
export function scenarioArb(maxEvents: number): fc.Arbitrary<ScenarioEvent[]> {
  return fc
    .array(fc.tuple(txnArb, fc.option(fc.tuple(fc.nat(), fc.constantFrom(1 as const, -1 as const)), { freq: 3, nil: null })), { minLength: 1, maxLength: maxEvents })
    .map((items) => {
      const events: ScenarioEvent[] = [];
      let txns = 0;
      for (const [t, label] of items) {
        const over: Partial<Transaction> = { userId: t.user, merchantId: t.merchant, amountMinor: t.amountMinor, currency: t.currency, userCountry: 'FR' };
        if (t.channel !== undefined) over.channel = t.channel;
        if (t.merchantCountry !== undefined) over.merchantCountry = t.merchantCountry;
        events.push({ kind: 'txn', txn: txn(txns, T0 + t.offset, over) });
        txns++;
        if (label !== null) events.push({ kind: 'label', index: label[0] % txns, change: label[1] });
      }
      return events;
    });
}

/** The profile updates of events, in arrival order (each event updates its user and its merchant). */
export function scenarioUpdates(events: readonly ScenarioEvent[]): ProfileUpdate[] {
  const txns = events.flatMap((e) => (e.kind === 'txn' ? [e.txn] : []));
  return events.flatMap((e): ProfileUpdate[] => {
    if (e.kind === 'txn') {
      return [
        { role: 'user', id: e.txn.userId, delta: transactionDelta('user', e.txn) },
        { role: 'merchant', id: e.txn.merchantId, delta: transactionDelta('merchant', e.txn) },
      ];
    }
    const labeled = txns[e.index] as Transaction;
    const delta = labelDelta({ userId: labeled.userId, merchantId: labeled.merchantId, epochSeconds: transactionTime(labeled) }, e.change);
    return delta === null ? [] : [
      { role: 'user', id: labeled.userId, delta },
      { role: 'merchant', id: labeled.merchantId, delta },
    ];
  });
}

/** The updates one transaction makes: its user's profile and its merchant's. */
export function updatesOf(t: Transaction): ProfileUpdate[] {
  return [
    { role: 'user', id: t.userId, delta: transactionDelta('user', t) },
    { role: 'merchant', id: t.merchantId, delta: transactionDelta('merchant', t) },
  ];
}

/** Query transactions of one user and merchant: a minute after every scenario transaction, plus hours and weeks after the last. */
export function queryTransactions(events: readonly ScenarioEvent[], userId: string, merchantId: string): Transaction[] {
  const times = events.flatMap((e) => (e.kind === 'txn' ? [transactionTime(e.txn)] : []));
  const last = Math.max(...times);
  const at = [...new Set([...times.map((t) => t + 61), last + 3 * 3_600, last + 20 * 86_400])];
  const channels = ['card_present', 'contactless', 'ecommerce', 'atm'] as const;
  const countries = ['FR', 'DE', 'US'] as const;
  return at.map((t, i) => txn(10_000 + i, t, { userId, merchantId, channel: channels[i % 4], merchantCountry: countries[i % 3], userCountry: 'FR', amountMinor: 4_321 }));
}


/** `items` shuffled by `random` (Fisher-Yates). */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** `items` cut into consecutive batches of 1..maxSize. */
export function batches<T>(items: readonly T[], maxSize: number, random: () => number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = 1 + Math.floor(random() * maxSize);
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}
