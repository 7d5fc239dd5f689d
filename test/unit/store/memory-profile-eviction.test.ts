import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { computeFeatures, formatRfc3339, PROFILE_HORIZON_SECONDS, type EntityRole, type Transaction } from '../../../features';
import type { HistoryRow } from '../../../src/records/decision-history';
import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import { registerMemoryStoreMetrics } from '../../../src/telemetry/profile-store-metrics';
import { replayEntities } from '../../../src/training/history/replay-entities';

const DAY = 86_400;
const T0 = Date.UTC(2024, 0, 1) / 1000;

function txn(i: number, t: number, userId: string, merchantId = 'm0', over: Partial<Transaction> = {}): Transaction {
  return { transactionId: `t${i}`, timestamp: formatRfc3339(t), userId, merchantId, amountMinor: 100 + i, currency: 'EUR', channel: 'ecommerce', merchantCountry: 'FR', ...over };
}

/** Steps `t` and returns the features it was scored on and the versions it got. */
function score(store: MemoryProfileStore, t: Transaction): { features: Float32Array; versions: number[] } {
  let features: Float32Array = new Float32Array(0);
  const v = store.transactionSync(t, (user, merchant) => {
    features = computeFeatures(t, user, merchant);
  });
  return { features, versions: [v.user.version, v.user.appliedVersion, v.merchant.version, v.merchant.appliedVersion] };
}

const bits = (f: Float32Array) => Buffer.from(f.buffer).toString('hex');

describe('MemoryProfileStore eviction', () => {
  it('evicts idle profiles without changing a feature or a version of any event within the grace', async () => {
    const grace = 7 * DAY;
    let evictions = 0;
    await fc.assert(
      fc.asyncProperty(
        // Event time moves on by minutes to hours, sometimes by about a horizon; each event is up to the grace behind the latest.
        fc.array(
          fc.tuple(
            fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 6 * 3_600 }) }, { weight: 1, arbitrary: fc.integer({ min: PROFILE_HORIZON_SECONDS - 10 * DAY, max: PROFILE_HORIZON_SECONDS + 10 * DAY }) }),
            fc.oneof(fc.integer({ min: 0, max: grace }), fc.constant(grace)),
            fc.integer({ min: 0, max: 5 }),
            fc.integer({ min: 0, max: 2 }),
          ),
          { minLength: 1, maxLength: 120 },
        ),
        async (steps) => {
          const a = await MemoryProfileStore.create(undefined, { idleGraceSeconds: grace });
          const b = await MemoryProfileStore.create();
          let latest = T0;
          steps.forEach(([advance, behind, user, merchant], i) => {
            latest += advance;
            const t = txn(i, latest - behind, `u${user}`, `m${merchant}`, { channel: i % 3 === 0 ? 'atm' : 'ecommerce', merchantCountry: i % 2 === 0 ? 'FR' : 'DE' });
            const got = score(a, t);
            const want = score(b, t);
            expect([i, bits(got.features), got.versions]).toEqual([i, bits(want.features), want.versions]);
          });
          const { evicted } = a.stats();
          expect(evicted.user.capacity + evicted.merchant.capacity).toBe(0);
          evictions += evicted.user.idle + evicted.merchant.idle;
        },
      ),
      { numRuns: 200 },
    );
    // The runs did evict (the property is not vacuous).
    expect(evictions).toBeGreaterThan(20);
  });

  it('evicts a profile idle past the horizon and the grace, keeping its version; counts it as idle', async () => {
    const store = await MemoryProfileStore.create(undefined, { idleGraceSeconds: DAY });
    for (let i = 0; i < 3; i++) store.transactionSync(txn(i, T0 + i * 60, 'idle', 'm-idle'), () => undefined);
    // Others trade on: once the latest event is a horizon and a day past the idle entity's last, it
    // goes within a turn of the hand (one entry a step).
    let i = 10;
    for (; i < 18; i++) store.transactionSync(txn(i, T0 + 120 + PROFILE_HORIZON_SECONDS + DAY - 1, 'other', 'm-other'), () => undefined);
    expect(store.size()).toEqual({ users: 2, merchants: 2 });
    for (; i < 22; i++) store.transactionSync(txn(i, T0 + 120 + PROFILE_HORIZON_SECONDS + DAY, 'other', 'm-other'), () => undefined);
    expect(store.size()).toEqual({ users: 1, merchants: 1 });
    const s = store.stats();
    expect([s.evicted.user, s.evicted.merchant, s.tombstones]).toEqual([{ idle: 1, capacity: 0 }, { idle: 1, capacity: 0 }, { user: 1, merchant: 1 }]);
    const back = store.getSync('idle', 'm-idle');
    expect([back.userVersion, back.merchantVersion, back.user.lastSeen, back.user.total]).toEqual([3, 3, Number.NEGATIVE_INFINITY, 0]);
    const again = store.transactionSync(txn(99, T0 + 200 * DAY, 'idle', 'm-idle'), () => undefined);
    expect([again.user.appliedVersion, again.merchant.appliedVersion]).toEqual([4, 4]);
    expect(store.getSync('idle', 'm-idle')).toMatchObject({ userVersion: 4, merchantVersion: 4, user: { total: 1 }, merchant: { total: 1 } });
  });

  it('leaves no gap in any entity\'s history for the retraining replay, across idle and capacity evictions', async () => {
    const store = await MemoryProfileStore.create(undefined, { idleGraceSeconds: 0, maxProfiles: 6 });
    const rows: Record<EntityRole, HistoryRow[]> = { user: [], merchant: [] };
    let t = T0;
    for (let i = 0; i < 400; i++) {
      // Bursts of activity separated, now and then, by more than the horizon.
      t += i % 50 === 49 ? PROFILE_HORIZON_SECONDS + DAY : 600;
      const x = txn(i, t, `u${i % 7}`, `m${i % 3}`);
      const v = store.transactionSync(x, () => undefined);
      rows.user.push({ kind: 'transaction', entity: x.userId, version: v.user.appliedVersion, transaction: x, at: formatRfc3339(t) });
      rows.merchant.push({ kind: 'transaction', entity: x.merchantId, version: v.merchant.appliedVersion, transaction: x, at: formatRfc3339(t) });
    }
    const s = store.stats();
    expect(s.evicted.user.idle + s.evicted.merchant.idle).toBeGreaterThan(0);
    expect(s.evicted.user.capacity).toBeGreaterThan(0);
    for (const role of ['user', 'merchant'] as const) {
      // As the decision log streams them: by entity, in version order.
      const ordered = [...rows[role]].sort((a, b) => (a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : (a.version ?? 0) - (b.version ?? 0)));
      const summary = await replayEntities(role, (async function* () { yield* ordered; })(), {}, { seed: new Map(), endUntouchedSeed: false, claimsSince: null });
      expect([role, summary.gaps, summary.changes]).toEqual([role, 0, 400]);
    }
  });

  it('holds at most maxProfiles, evicting ones not stepped since the hand last passed; an evicted entity continues its versions', async () => {
    const store = await MemoryProfileStore.create(undefined, { maxProfiles: 1_000 });
    store.transactionSync(txn(0, T0, 'cold', 'm'), () => undefined);
    let hot = 0;
    for (let i = 1; i <= 5_000; i++) {
      // A hot user every tenth step among a stream of new ones, all at one merchant.
      if (i % 10 === 0) {
        store.transactionSync(txn(i, T0 + i, 'hot', 'm'), () => undefined);
        hot++;
      } else store.transactionSync(txn(i, T0 + i, `new${i}`, 'm'), () => undefined);
      const { held } = store.stats();
      expect(held.user + held.merchant).toBeLessThanOrEqual(1_000);
    }
    expect(store.getSync('hot', 'm')).toMatchObject({ userVersion: hot, user: { total: hot }, merchantVersion: 5_001, merchant: { total: 5_001 } });
    expect(store.getSync('cold', 'm')).toMatchObject({ userVersion: 1, user: { total: 0 } });
    const s = store.stats();
    expect(s.held).toEqual({ user: 999, merchant: 1 });
    // Every user but the hot one and the 999 held was evicted once, keeping its version.
    expect(s.evicted.user).toEqual({ idle: 0, capacity: 1 + 4_500 - 998 });
    expect(s.tombstones.user).toBe(s.evicted.user.capacity);
    expect(store.transactionSync(txn(9_999, T0 + 9_999, 'cold', 'm'), () => undefined).user).toEqual({ kind: 'applied', version: 1, appliedVersion: 2 });
  });

  it('keeps at most maxTombstones, forgetting the oldest evictions first', async () => {
    const store = await MemoryProfileStore.create(undefined, { maxProfiles: 1_000, maxTombstones: 2 });
    for (let i = 0; i < 5; i++) await store.put({ role: 'user', id: `u${i}`, state: (await MemoryProfileStore.create()).getSync('x', 'y').user, version: 10 + i });
    expect(store.stats()).toMatchObject({ held: { user: 0, merchant: 0 }, tombstones: { user: 2, merchant: 0 }, tombstonesDropped: 3 });
    expect([0, 1, 2, 3, 4].map((i) => store.getSync(`u${i}`, 'm').userVersion)).toEqual([0, 0, 0, 13, 14]);
  });

  it('writes tombstones to its snapshot as compact lines and reads them back at their versions', async () => {
    const store = await MemoryProfileStore.create(undefined, { maxProfiles: 2 });
    for (let i = 0; i < 6; i++) store.transactionSync(txn(i, T0 + i, `u${i % 3}`, 'm'), () => undefined);
    const s = store.stats();
    expect(s.held.user + s.held.merchant).toBe(2);
    const path = join(mkdtempSync(join(tmpdir(), 'snap-')), 'profiles.ndjson');
    expect(await store.snapshot(path)).toBe(4);
    const tombstones = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; data: string; version: number }).filter((l) => l.data === '');
    expect(tombstones.length).toBe(s.tombstones.user + s.tombstones.merchant);
    const copy = await MemoryProfileStore.create(path, { maxProfiles: 2 });
    expect(copy.stats().tombstones).toEqual(s.tombstones);
    for (const id of ['u0', 'u1', 'u2']) expect(copy.getSync(id, 'm').userVersion).toBe(store.getSync(id, 'm').userVersion);
  });

  it('pushes 1,000,000 distinct users through a 100,000-profile cap: never holds more, counts every eviction', () => {
    const cap = 100_000;
    const users = 1_000_000;
    return MemoryProfileStore.create(undefined, { maxProfiles: cap }).then((store) => {
      const registry = new Registry();
      registerMemoryStoreMetrics(registry, store);
      const timestamps = Array.from({ length: 60 }, (_, s) => formatRfc3339(T0 + s));
      const t: Transaction = { transactionId: '', timestamp: '', userId: '', merchantId: '', amountMinor: 1_000, currency: 'EUR' };
      let most = 0;
      for (let i = 0; i < users; i++) {
        store.transactionSync({ ...t, transactionId: `t${i}`, timestamp: timestamps[i % 60] as string, userId: `user-${i}`, merchantId: `m${i % 1_000}` }, () => undefined);
        if (i % 997 === 0) {
          const { held } = store.stats();
          most = Math.max(most, held.user + held.merchant);
        }
      }
      const s = store.stats();
      expect(most).toBeLessThanOrEqual(cap);
      expect(s.held.user + s.held.merchant).toBe(cap);
      // Every entity not held was evicted at least once (a merchant may be evicted and come back) and left its version.
      const evicted = s.evicted.user.capacity + s.evicted.merchant.capacity;
      expect(evicted).toBeGreaterThanOrEqual(users + 1_000 - cap);
      expect(s.evicted.user.idle + s.evicted.merchant.idle).toBe(0);
      expect(s.tombstones.user + s.tombstones.merchant).toBe(users + 1_000 - cap);
      return registry.metrics().then((text) => {
        expect(text).toContain(`fraud_profiles_evicted_total{role="user",reason="capacity"} ${s.evicted.user.capacity}`);
        expect(text).toContain('fraud_profiles_evicted_total{role="user",reason="idle"} 0');
        expect(text).toContain(`fraud_profiles_held{role="user"} ${s.held.user}`);
        expect(text).toContain(`fraud_profile_tombstones{role="user"} ${s.tombstones.user}`);
      });
    });
  }, 120_000);
});
