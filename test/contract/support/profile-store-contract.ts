import fc from 'fast-check';
import { computeFeatures, COUNTER_FIELDS, emptyProfile, FEATURE_NAMES, labelDelta, PROFILE_HORIZON_SECONDS, TIERS, tierTop, windowSum, type ProfileDelta, type Transaction } from '../../../features';
import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import { labelClaim, type EntityOp, type EntityOutcome, type ProfileStore, type ProfileStoreAdmin } from '../../../src/store/profile-store';
import { waitFor } from './wait-for';
import { applyUpdates, batches, MERCHANTS, prng, scenarioArb, scenarioUpdates, shuffle, T0, txn, updatesOf, USERS, type ProfileUpdate } from './profile-events';
import { featureDiff, memoryOf, parityDiff, visibleStateDiff } from './profile-parity';
import type { ProfileNamespace, ProfileStoreHarness } from './profile-store-harness';

const ids = { user: USERS[0], merchant: MERCHANTS[0] } as const;

/** A transaction's two steps, claimed by its id. */
function transactionOps(t: Transaction): EntityOp[] {
  return [
    { role: 'user', id: t.userId, claim: t.transactionId, change: { kind: 'transaction', txn: t } },
    { role: 'merchant', id: t.merchantId, claim: t.transactionId, change: { kind: 'transaction', txn: t } },
  ];
}

/**
 * The profile store contract every adapter passes: steps (read and merge atomically per entity,
 * versions, claims), exact order under concurrent clients, bit-identical feature parity with the
 * memory store (the reference), lost-data sentinels and whole-profile operations where the store
 * has them, timeouts, ping and close. `harness` says how
 * to reach the backend; its optional parts enable the tests that need them.
 */
export function describeProfileStoreContract(name: string, harness: ProfileStoreHarness): void {
  describe(`profile store contract: ${name}`, () => {
    if (harness.setup !== undefined) beforeAll(() => (harness.setup as () => Promise<void>)(), 120_000);
    if (harness.teardown !== undefined) afterAll(() => (harness.teardown as () => Promise<void>)(), 60_000);

    async function inNamespace(fn: (ns: ProfileNamespace) => Promise<void>): Promise<void> {
      const ns = await harness.namespace();
      try {
        await fn(ns);
      } finally {
        await ns.dispose();
      }
    }

    async function withStores(count: number, fn: (stores: ProfileStore[], ns: ProfileNamespace) => Promise<void>): Promise<void> {
      await inNamespace(async (ns) => {
        const stores: ProfileStore[] = [];
        try {
          for (let i = 0; i < count; i++) stores.push(await ns.open());
          await fn(stores, ns);
        } finally {
          for (const s of stores) await s.close();
        }
      });
    }

    it('gives empty profiles for ids never seen', async () => {
      await withStores(1, async ([store]) => {
        const { user, merchant } = await (store as ProfileStore).get('nobody', 'nowhere');
        const empty = emptyProfile();
        for (const p of [user, merchant]) {
          expect(p.lastSeen).toBe(Number.NEGATIVE_INFINITY);
          expect(p.total).toBe(0);
          expect(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)).toEqual(Buffer.from(empty.data.buffer));
          for (const set of Object.values(p.sets)) expect(set.size).toBe(0);
        }
      });
    });

    it('returns what was applied, for the user and the merchant', async () => {
      await withStores(1, async ([store]) => {
        const s = store as ProfileStore;
        const a = txn(1, T0 + 3_600, { amountMinor: 2_500, channel: 'ecommerce', merchantCountry: 'DE' });
        const b = txn(2, T0 + 3_900, { amountMinor: 500 });
        await applyUpdates(s, updatesOf(a));
        await applyUpdates(s, updatesOf(b));
        const { user, merchant } = await s.get(ids.user, ids.merchant);
        expect([user.lastSeen, user.total, merchant.lastSeen, merchant.total]).toEqual([T0 + 3_900, 2, T0 + 3_900, 2]);
        expect(windowSum(user, 0, 's', 0, Number.MAX_SAFE_INTEGER)).toBe(3_000);
        expect([...user.sets.merchants]).toEqual([[ids.merchant, T0 + 3_900]]);
        expect([...user.sets.channels]).toEqual([['ecommerce', T0 + 3_600]]);
        expect(merchant.sets.merchants.size).toBe(0);
        const q = txn(3, T0 + 4_000);
        const want = (await memoryOf([...updatesOf(a), ...updatesOf(b)])).getSync(ids.user, ids.merchant);
        expect(featureDiff(q, { user, merchant }, want)).toEqual([]);
        const f = computeFeatures(q, user, merchant);
        expect(f[FEATURE_NAMES.indexOf('user_count_1h')]).toBe(2);
        expect(f[FEATURE_NAMES.indexOf('user_seconds_since_last')]).toBe(100);
      });
    });

    it('keeps integers exact up to 2^53, for negative bucket ids and ids beyond 2^32', async () => {
      const big = 2 ** 52 - 1;
      const deltas: ProfileDelta[] = [
        { counters: [{ tier: 2, bucket: 2 ** 40, field: 's', by: big }, { tier: 2, bucket: 2 ** 40, field: 'n', by: 1 }], seenAt: 2 ** 53 - 1, total: 2 ** 52, members: [{ set: 'countries', key: 'FR', at: 2 ** 53 - 2 }] },
        { counters: [{ tier: 2, bucket: 2 ** 40, field: 's', by: big }, { tier: 2, bucket: 2 ** 40 - 37, field: 'f', by: -3 }], seenAt: null, total: 2 ** 52 - 1, members: [] },
        { counters: [{ tier: 0, bucket: -3, field: 'n', by: 7 }, { tier: 0, bucket: -16, field: 'n', by: 5 }, { tier: 0, bucket: -15, field: 's', by: -big }], seenAt: -5_000, total: 0, members: [] },
      ];
      await withStores(1, async ([store]) => {
        const s = store as ProfileStore;
        const updates = deltas.map((delta): ProfileUpdate => ({ role: 'merchant', id: 'big', delta }));
        await applyUpdates(s, updates);
        const got = (await s.get('nobody', 'big')).merchant;
        const want = (await memoryOf(updates)).getSync('nobody', 'big').merchant;
        expect([got.lastSeen, got.total, got.sets.countries.get('FR')]).toEqual([2 ** 53 - 1, 2 ** 53 - 1, 2 ** 53 - 2]);
        expect(windowSum(got, 2, 's', 2 ** 40, 2 ** 40)).toBe(2 ** 53 - 2);
        for (let tier = 0; tier < TIERS.length; tier++) {
          expect(tierTop(got, tier)).toBe(tierTop(want, tier));
          for (const field of COUNTER_FIELDS) {
            for (let id = -40; id <= 0; id++) expect([tier, field, id, windowSum(got, tier, field, id, id)]).toEqual([tier, field, id, windowSum(want, tier, field, id, id)]);
            const top = tierTop(want, tier);
            if (top === Number.NEGATIVE_INFINITY) continue;
            for (let id = top - 40; id <= top; id++) expect([tier, field, id, windowSum(got, tier, field, id, id)]).toEqual([tier, field, id, windowSum(want, tier, field, id, id)]);
          }
        }
      });
    });

    (harness.countRequests === undefined ? it.skip : it)('steps a transaction with one request per profile, sent together', async () => {
      await withStores(1, async ([store], ns) => {
        const s = store as ProfileStore;
        await applyUpdates(s, updatesOf(txn(1, T0)));
        const t = txn(2, T0 + 60);
        const count = await (harness.countRequests as NonNullable<ProfileStoreHarness['countRequests']>)(ns, async () => {
          await Promise.all(s.step(transactionOps(t)));
        });
        expect(count).toBe(2);
      });
    });

    it('reads and merges a transaction in one step: the state before it, the version it got', async () => {
      await withStores(1, async ([store]) => {
        const s = store as ProfileStore;
        const a = txn(1, T0 + 3_600, { amountMinor: 2_500, channel: 'ecommerce' });
        const b = txn(2, T0 + 3_700, { amountMinor: 500 });
        const [ua, ma] = await Promise.all(s.step(transactionOps(a)));
        expect([ua, ma].map((o) => (o?.kind === 'lost' ? 'lost' : [o?.kind, o?.version, o?.appliedVersion]))).toEqual([['applied', 0, 1], ['applied', 0, 1]]);
        const [ub] = await Promise.all(s.step(transactionOps(b)));
        if (ub === undefined || ub.kind === 'lost' || ub.state === null) throw new Error(`unexpected outcome ${JSON.stringify(ub)}`);
        expect([ub.kind, ub.version, ub.appliedVersion]).toEqual(['applied', 1, 2]);
        // The state returned is the one before b: a alone.
        expect(visibleStateDiff('user', ub.state, (await memoryOf(updatesOf(a))).getSync(ids.user, ids.merchant).user)).toEqual([]);
        const after = await s.get(ids.user, ids.merchant);
        expect([after.userVersion, after.merchantVersion, after.user.total]).toEqual([2, 2, 2]);
      });
    });

    it('merges a claim once: a step that finds it taken changes nothing and reports where it went', async () => {
      await withStores(2, async ([one, two]) => {
        const t = txn(1, T0);
        await Promise.all((one as ProfileStore).step(transactionOps(t)));
        await applyUpdates(one as ProfileStore, updatesOf(txn(2, T0 + 60)));
        const again = await Promise.all((two as ProfileStore).step(transactionOps(t)));
        for (const o of again) {
          if (o.kind === 'lost' || o.state === null) throw new Error(`unexpected outcome ${JSON.stringify(o)}`);
          // The current state (both changes), at the current version; the claim's own version.
          expect([o.kind, o.version, o.appliedVersion, o.state.total]).toEqual(['claimed', 2, 1, 2]);
        }
        const label = { kind: 'delta' as const, delta: labelDelta({ userId: ids.user, merchantId: ids.merchant, epochSeconds: T0 }, 1) as ProfileDelta };
        const labelOp = { role: 'merchant' as const, id: ids.merchant, claim: labelClaim('chargeback', t.transactionId), change: label };
        const first = await Promise.all((one as ProfileStore).step([labelOp]));
        const second = await Promise.all((two as ProfileStore).step([labelOp]));
        expect(first.map((o) => (o.kind === 'lost' ? o.kind : [o.kind, o.state, o.appliedVersion]))).toEqual([['applied', null, 3]]);
        expect(second.map((o) => (o.kind === 'lost' ? o.kind : [o.kind, o.state, o.version, o.appliedVersion]))).toEqual([['claimed', null, 3, 3]]);
        const got = await (two as ProfileStore).get(ids.user, ids.merchant);
        expect([got.userVersion, got.merchantVersion, windowSum(got.merchant, 2, 'f', 0, Number.MAX_SAFE_INTEGER)]).toEqual([2, 3, 1]);
      });
    });

    it('orders each entity exactly under concurrent steps from two clients: every state read is its history up to that version', async () => {
      await withStores(2, async (stores) => {
        // One hot merchant and user, 60 transactions, half through each client, all at once.
        const txns = Array.from({ length: 60 }, (_, i) => txn(i, T0 + 37 * i, { amountMinor: 100 + i, channel: i % 2 === 0 ? 'ecommerce' : 'atm', merchantCountry: i % 3 === 0 ? 'DE' : 'FR' }));
        const outcomes = await Promise.all(txns.map((t, i) => Promise.all((stores[i % 2] as ProfileStore).step(transactionOps(t)))));
        for (const [r, role] of [[0, 'user'], [1, 'merchant']] as const) {
          const steps = outcomes.map((o, i) => ({ t: txns[i] as Transaction, o: o[r] as EntityOutcome }));
          const versions = steps.map(({ o }) => (o.kind === 'applied' ? o.appliedVersion : -1)).sort((a, b) => a - b);
          expect(versions).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
          // Replaying the changes in version order reproduces every state a step read.
          const inOrder = [...steps].sort((a, b) => (a.o.kind === 'applied' ? a.o.appliedVersion : 0) - (b.o.kind === 'applied' ? b.o.appliedVersion : 0));
          const replay = await MemoryProfileStore.create();
          const diffs: string[] = [];
          for (const { t, o } of inOrder) {
            if (o.kind !== 'applied' || o.state === null) throw new Error('not applied');
            const want = replay.getSync(t.userId, t.merchantId);
            diffs.push(...visibleStateDiff(`${role} before v${o.appliedVersion}`, o.state, role === 'user' ? want.user : want.merchant));
            await applyUpdates(replay, [updatesOf(t)[r] as ProfileUpdate]);
          }
          expect(diffs).toEqual([]);
        }
      });
    });

    it('merges concurrent duplicates from two clients once: one step applies, the other finds the claim', async () => {
      await withStores(2, async ([one, two]) => {
        const ts = Array.from({ length: 20 }, (_, i) => txn(i, T0 + i));
        const results = await Promise.all(ts.flatMap((t) => [Promise.all((one as ProfileStore).step(transactionOps(t))), Promise.all((two as ProfileStore).step(transactionOps(t)))]));
        for (let i = 0; i < ts.length; i++) {
          for (const r of [0, 1]) {
            const pair = [results[2 * i]?.[r], results[2 * i + 1]?.[r]] as EntityOutcome[];
            const kinds = pair.map((o) => o.kind).sort();
            expect(kinds).toEqual(['applied', 'claimed']);
            const [a, b] = pair.map((o) => (o.kind === 'lost' ? -1 : o.appliedVersion));
            expect(a).toBe(b);
          }
        }
        const got = await (one as ProfileStore).get(ids.user, ids.merchant);
        expect([got.userVersion, got.merchantVersion, got.user.total, got.merchant.total]).toEqual([20, 20, 20, 20]);
      });
    });

    (harness.loseData === undefined ? it.skip : it)('refuses to build on a slot that lost its data, until its sentinel is restored', async () => {
      await withStores(1, async ([store], ns) => {
        const s = store as ProfileStore;
        const admin = s.admin as ProfileStoreAdmin;
        await Promise.all(s.step(transactionOps(txn(1, T0))));
        await (harness.loseData as NonNullable<ProfileStoreHarness['loseData']>)(ns);
        expect((await admin.lostSlots()).length).toBe(admin.slots);
        const refused = await Promise.all(s.step(transactionOps(txn(2, T0 + 60))));
        expect(refused.map((o) => o.kind)).toEqual(['lost', 'lost']);
        expect((await s.get(ids.user, ids.merchant)).userVersion).toBe(0);
        await admin.restoreSentinels([admin.slotOf('user', ids.user)]);
        expect(await admin.lostSlots()).not.toContain(admin.slotOf('user', ids.user));
        const [user] = await Promise.all(s.step(transactionOps(txn(2, T0 + 60))));
        expect(user?.kind).toBe('applied');
      });
    });

    (harness.supportsAdmin === true ? it : it.skip)('puts and lists whole profiles with their versions; claims put with them hold', async () => {
      await withStores(1, async ([store]) => {
        const s = store as ProfileStore;
        const admin = s.admin as ProfileStoreAdmin;
        const reference = await memoryOf([...updatesOf(txn(1, T0, { channel: 'atm' })), ...updatesOf(txn(2, T0 + 90_000))]);
        const { user, merchant } = reference.getSync(ids.user, ids.merchant);
        await admin.put({ role: 'user', id: ids.user, state: user, version: 41 }, [['t-old', 40]]);
        await admin.put({ role: 'merchant', id: ids.merchant, state: merchant, version: 7 });
        const got = await s.get(ids.user, ids.merchant);
        expect([got.userVersion, got.merchantVersion]).toEqual([41, 7]);
        expect([...visibleStateDiff('user', got.user, user), ...visibleStateDiff('merchant', got.merchant, merchant)]).toEqual([]);
        const listed: string[] = [];
        for await (const p of admin.profiles()) listed.push(`${p.role} ${p.id} v${p.version} ${p.state.total}`);
        expect(listed.sort()).toEqual([`merchant ${ids.merchant} v7 2`, `user ${ids.user} v41 2`]);
        const [again] = await Promise.all(s.step([{ role: 'user', id: ids.user, claim: 't-old', change: { kind: 'transaction', txn: txn(3, T0) } }]));
        expect(again?.kind === 'lost' ? 'lost' : [again?.kind, again?.appliedVersion, again?.version]).toEqual(['claimed', 40, 41]);
      });
    });

    it('matches the memory store (visible state, feature bits) for random event streams in any order and batching', async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb(30), fc.integer(), fc.boolean(), async (events, seed, inOrder) => {
          const random = prng(seed);
          const updates = scenarioUpdates(events);
          const reference = await memoryOf(updates);
          await withStores(1, async ([store]) => {
            for (const batch of batches(inOrder ? updates : shuffle(updates, random), 8, random)) await applyUpdates(store as ProfileStore, batch);
            expect(await parityDiff(store as ProfileStore, reference, events)).toEqual([]);
          });
        }),
        { numRuns: harness.networked ? 40 : 150 },
      );
    });

    it('matches the memory store (visible state, feature bits) when two clients apply concurrently', async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb(40), fc.integer(), async (events, seed) => {
          const random = prng(seed);
          const updates = scenarioUpdates(events);
          const reference = await memoryOf(updates);
          await withStores(2, async (stores) => {
            const queues: ProfileUpdate[][][] = [[], []];
            for (const batch of batches(shuffle(updates, random), 4, random)) (queues[random() < 0.5 ? 0 : 1] as ProfileUpdate[][]).push(batch);
            await Promise.all(
              queues.map(async (queue, i) => {
                for (const batch of queue) await applyUpdates(stores[i] as ProfileStore, batch);
              }),
            );
            expect(await parityDiff(stores[1] as ProfileStore, reference, events)).toEqual([]);
          });
        }),
        { numRuns: harness.networked ? 25 : 100 },
      );
    });

    it('hides buckets that left the window, also from labels arriving after it moved', async () => {
      const old = txn(1, T0 + 36_000);
      const recent = txn(2, T0 + 36_000 + 40 * 86_400);
      const hourLater = txn(3, T0 + 36_000 + 2 * 3_600);
      const label: ProfileUpdate[] = [{ role: 'merchant', id: ids.merchant, delta: { counters: [{ tier: 2, bucket: Math.floor((T0 + 36_000) / 86_400), field: 'f', by: 1 }], seenAt: null, total: 0, members: [] } }];
      for (const order of [[old, recent], [recent, old]]) {
        await withStores(1, async ([store]) => {
          const s = store as ProfileStore;
          for (const t of order) await applyUpdates(s, updatesOf(t as Transaction));
          await applyUpdates(s, label);
          const q = txn(9, T0 + 36_000 + 40 * 86_400 + 60);
          const got = await s.get(ids.user, ids.merchant);
          const f = computeFeatures(q, got.user, got.merchant);
          const named = (n: string) => f[FEATURE_NAMES.indexOf(n)];
          expect([named('user_count_30d'), named('user_count_7d'), named('merchant_count_30d'), named('merchant_known_frauds_30d')]).toEqual([1, 1, 1, 0]);
        });
      }
      await withStores(1, async ([store]) => {
        await applyUpdates(store as ProfileStore, [...updatesOf(old), ...updatesOf(hourLater)]);
        const got = await (store as ProfileStore).get(ids.user, ids.merchant);
        expect(computeFeatures(txn(9, T0 + 36_000 + 2 * 3_600 + 1), got.user, got.merchant)[FEATURE_NAMES.indexOf('user_count_1h')]).toBe(1);
      });
    });

    it('forgets set members at the 90-day horizon behind lastSeen, whatever the arrival order', async () => {
      const first = (i: number, user: string) => txn(i, T0, { userId: user, merchantId: 'm-old', channel: 'atm', merchantCountry: 'US' });
      const later = (i: number, user: string, dt: number) => txn(i, T0 + dt, { userId: user, merchantId: 'm-new', channel: 'ecommerce', merchantCountry: 'FR' });
      const horizon = 90 * 86_400;
      const cases = [
        { user: 'at-horizon', updates: [...updatesOf(first(1, 'at-horizon')), ...updatesOf(later(2, 'at-horizon', horizon))], forgotten: 1 },
        { user: 'before-horizon', updates: [...updatesOf(first(3, 'before-horizon')), ...updatesOf(later(4, 'before-horizon', horizon - 1))], forgotten: 0 },
        { user: 'late-arrival', updates: [...updatesOf(later(6, 'late-arrival', horizon)), ...updatesOf(first(5, 'late-arrival'))], forgotten: 1 },
      ];
      await withStores(1, async ([store]) => {
        const s = store as ProfileStore;
        for (const c of cases) await applyUpdates(s, c.updates);
        // Queried by a late transaction (before every case's lastSeen): it sees what the store kept.
        const late = T0 + horizon - 1;
        for (const c of cases) {
          const { user, merchant } = await s.get(c.user, 'm-old');
          const f = computeFeatures(txn(9, late, { userId: c.user, merchantId: 'm-old', channel: 'atm', merchantCountry: 'US' }), user, merchant);
          const news = ['user_merchant_new', 'user_channel_new', 'user_country_new'].map((n) => f[FEATURE_NAMES.indexOf(n)]);
          expect([c.user, ...news]).toEqual([c.user, c.forgotten, c.forgotten, c.forgotten]);
          const g = computeFeatures(txn(9, late, { userId: c.user, merchantId: 'm-new', channel: 'ecommerce', merchantCountry: 'FR' }), user, merchant);
          expect([c.user, g[FEATURE_NAMES.indexOf('user_merchant_new')]]).toEqual([c.user, 0]);
        }
      });
    });

    (harness.idle === undefined ? it.skip : it)('an entity idle past the horizon reads as fresh but keeps counting versions', async () => {
      await inNamespace(async (ns) => {
        const idle = await (harness.idle as NonNullable<ProfileStoreHarness['idle']>)(ns);
        try {
          const s = idle.store;
          const history = [txn(1, T0, { channel: 'atm', merchantCountry: 'DE' }), txn(2, T0 + 3_600), txn(3, T0 + 86_400, { channel: 'ecommerce' })];
          for (const t of history) await Promise.all(s.step(transactionOps(t)));
          const label = { kind: 'delta' as const, delta: labelDelta({ userId: ids.user, merchantId: ids.merchant, epochSeconds: T0 }, 1) as ProfileDelta };
          await Promise.all(s.step([{ role: 'merchant', id: ids.merchant, claim: labelClaim('chargeback', 't1'), change: label }]));
          const before = await s.get(ids.user, ids.merchant);
          expect([before.userVersion, before.merchantVersion]).toEqual([3, 4]);
          // What the entity scores like a horizon after its last transaction: exactly a new one (every adapter's state).
          const resume = T0 + 86_400 + PROFILE_HORIZON_SECONDS;
          const next = txn(9, resume + 60, { channel: 'atm', merchantCountry: 'DE' });
          expect(featureDiff(next, before, { user: emptyProfile(), merchant: emptyProfile() })).toEqual([]);

          await idle.passHorizon();
          // Event time moves on too: others trade past the horizon (what the memory store measures idleness by).
          for (let i = 0; i < 8; i++) await Promise.all(s.step(transactionOps(txn(100 + i, resume + i, { userId: 'someone', merchantId: 'somewhere' }))));
          const got = await s.get(ids.user, ids.merchant);
          expect([got.userVersion, got.merchantVersion]).toEqual([3, 4]);
          expect([...visibleStateDiff('user', got.user, emptyProfile()), ...visibleStateDiff('merchant', got.merchant, emptyProfile())]).toEqual([]);

          // The next change continues each entity's numbering, on a fresh state.
          const outcomes = await Promise.all(s.step(transactionOps(next)));
          expect(outcomes.map((o) => (o.kind === 'lost' ? 'lost' : [o.kind, o.version, o.appliedVersion]))).toEqual([['applied', 3, 4], ['applied', 4, 5]]);
          for (const o of outcomes) if (o.kind !== 'lost' && o.state !== null) expect(visibleStateDiff('before', o.state, emptyProfile())).toEqual([]);
          const after = await s.get(ids.user, ids.merchant);
          const want = (await memoryOf(updatesOf(next))).getSync(ids.user, ids.merchant);
          expect([after.userVersion, after.merchantVersion]).toEqual([4, 5]);
          expect([...visibleStateDiff('user', after.user, want.user), ...visibleStateDiff('merchant', after.merchant, want.merchant)]).toEqual([]);
        } finally {
          await idle.close();
        }
      });
    });

    it('pings', async () => {
      await withStores(1, async ([store]) => {
        await expect((store as ProfileStore).ping()).resolves.toBeUndefined();
      });
    });

    it('closes, idempotently; a closed networked store rejects requests', async () => {
      await inNamespace(async (ns) => {
        const store = await ns.open();
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
        if (harness.networked) await expect(store.get(ids.user, ids.merchant)).rejects.toThrow();
      });
    });

    (harness.outage === undefined ? it.skip : it)('rejects get, apply and ping within the timeout when the backend goes away, and recovers', async () => {
      await inNamespace(async (ns) => {
        const outage = await (harness.outage as NonNullable<ProfileStoreHarness['outage']>)(ns);
        try {
          const s = outage.store;
          await applyUpdates(s, updatesOf(txn(1, T0)));
          outage.cut();
          for (const call of [() => s.get(ids.user, ids.merchant), () => applyUpdates(s, updatesOf(txn(2, T0 + 1))), () => s.ping()]) {
            const started = Date.now();
            await expect(call()).rejects.toThrow();
            expect(Date.now() - started).toBeLessThan(harness.timeoutMs * 2 + 500);
          }
          outage.restore();
          await waitFor('the store to answer again', () => s.ping().then(() => true, () => false), 10_000);
          expect((await s.get(ids.user, ids.merchant)).user.total).toBe(1);
        } finally {
          await outage.close();
        }
      });
    });

    (harness.createUnreachable === undefined ? it.skip : it)('rejects creation, within the connect timeout, when the backend is unreachable', async () => {
      const started = Date.now();
      await expect((harness.createUnreachable as NonNullable<ProfileStoreHarness['createUnreachable']>)()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(harness.timeoutMs * 2 + 1_000);
    });
  });
}
