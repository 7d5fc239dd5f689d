import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeFeatures, formatRfc3339, TIERS, tierTop, transactionDelta, visibleBuckets, type Transaction } from '../../../features';
import { MEMORY_CLAIMS_PER_ENTITY, MemoryProfileStore } from '../../../src/store/memory-profile-store';
import { decodeProfile, encodeProfile } from '../../../src/store/profile-snapshot';

const T0 = Date.UTC(2018, 5, 1) / 1000;
const txn = (i: number, over: Partial<Transaction> = {}): Transaction => ({
  transactionId: `t${i}`,
  timestamp: formatRfc3339(T0 + i * 3_000),
  userId: `u${i % 3}`,
  merchantId: `m${i % 2}`,
  amountMinor: 100 + i,
  currency: 'EUR',
  channel: 'ecommerce',
  merchantCountry: i % 2 === 0 ? 'BE' : 'FR',
  ...over,
});

describe('MemoryProfileStore snapshots', () => {
  it('round-trips every profile exactly through a snapshot file', async () => {
    const store = await MemoryProfileStore.create();
    for (let i = 0; i < 200; i++) store.transactionSync(txn(i), () => undefined);
    const path = join(mkdtempSync(join(tmpdir(), 'snap-')), 'profiles.ndjson');
    expect(await store.snapshot(path)).toBe(5);
    const copy = await MemoryProfileStore.create(path);
    expect(copy.size()).toEqual({ users: 3, merchants: 2 });
    const probe = txn(500, { userId: 'u1', merchantId: 'm0' });
    const a = store.getSync('u1', 'm0');
    const b = copy.getSync('u1', 'm0');
    expect(Buffer.from(computeFeatures(probe, b.user, b.merchant).buffer)).toEqual(Buffer.from(computeFeatures(probe, a.user, a.merchant).buffer));
    expect(b.user.total).toBe(a.user.total);
    expect([b.userVersion, b.merchantVersion]).toEqual([a.userVersion, a.merchantVersion]);
    expect(a.userVersion).toBe(67);
    expect([...b.user.sets.merchants].sort()).toEqual([...a.user.sets.merchants].sort());
  });

  it('writes snapshot lines in the layout earlier versions read (a bucket id in every ring slot), and reads them', async () => {
    const store = await MemoryProfileStore.create();
    for (let i = 0; i < 400; i++) store.transactionSync(txn(i * 7), () => undefined);
    const { user } = store.getSync('u0', 'm0');
    // The snapshot layout, built by hand: per tier four arrays of `length` doubles (ids, NaN =
    // unused; n; s; f), then the tops.
    const expected: number[] = [];
    TIERS.forEach((tier, i) => {
      const ids = new Array<number>(tier.length).fill(Number.NaN);
      const counters = [0, 1, 2].map(() => new Array<number>(tier.length).fill(0));
      for (const [id, n, s, f] of visibleBuckets(user, i)) {
        const slot = ((id % tier.length) + tier.length) % tier.length;
        ids[slot] = id;
        [n, s, f].forEach((v, k) => ((counters[k] as number[])[slot] = v));
      }
      expected.push(...ids, ...counters.flat());
    });
    expected.push(...TIERS.map((_, i) => tierTop(user, i)));
    const line = encodeProfile({ role: 'user', id: 'u0', state: user, version: 3 });
    expect(line.version).toBe(3);
    const written = Buffer.from(line.data, 'base64');
    expect(Array.from(new Float64Array(new Uint8Array(written).buffer))).toEqual(expected);

    // Read back, with a garbage slot an earlier version kept (an id out of view) that must not count.
    const withGarbage = [...expected];
    const free = withGarbage.findIndex((v) => Number.isNaN(v));
    const m5 = TIERS[0]!.length;
    withGarbage[free] = tierTop(user, 0) - m5 - ((((tierTop(user, 0) - free) % m5) + m5) % m5);
    withGarbage[free + m5] = 99;
    const probe = txn(3_000, { userId: 'u0', merchantId: 'm0' });
    for (const data of [expected, withGarbage]) {
      const decoded = decodeProfile({ ...line, data: Buffer.from(new Float64Array(data).buffer).toString('base64') });
      expect(Buffer.from(decoded.data.buffer)).toEqual(Buffer.from(user.data.buffer));
      expect(Array.from(computeFeatures(probe, decoded, null))).toEqual(Array.from(computeFeatures(probe, user, null)));
    }
    // Lines holding the profile's own array (written by the builds that briefly did) read too.
    const own = decodeProfile({ ...line, data: Buffer.from(user.data.buffer).toString('base64') });
    expect(Buffer.from(own.data.buffer)).toEqual(Buffer.from(user.data.buffer));
  });

  it('names the line of a malformed snapshot entry', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'snap-')), 'bad.ndjson');
    writeFileSync(path, '{"role":"user","id":"u1","lastSeen":null,"total":0,"data":"AAAA","sets":{}}\n');
    await expect(MemoryProfileStore.create(path)).rejects.toThrow('profile user:u1 has 3 data bytes, expected 2456');
    writeFileSync(path, '\nnot json\n');
    await expect(MemoryProfileStore.create(path)).rejects.toThrow(`${path}:2: not a profile snapshot line`);
  });

  it('steps a transaction synchronously exactly as its two deltas, creating profiles it has not seen', async () => {
    const byDeltas = await MemoryProfileStore.create();
    const byTransaction = await MemoryProfileStore.create();
    for (let i = 0; i < 300; i++) {
      const t = txn(i, i % 7 === 0 ? { channel: undefined, merchantCountry: undefined } : {});
      await Promise.all(
        byDeltas.step([
          { role: 'user', id: t.userId, claim: t.transactionId, change: { kind: 'delta', delta: transactionDelta('user', t) } },
          { role: 'merchant', id: t.merchantId, claim: t.transactionId, change: { kind: 'delta', delta: transactionDelta('merchant', t) } },
        ]),
      );
      byTransaction.transactionSync(t, () => undefined);
    }
    expect(byTransaction.size()).toEqual(byDeltas.size());
    for (const [user, merchant] of [['u0', 'm0'], ['u1', 'm1'], ['u2', 'm0']] as const) {
      const want = byDeltas.getSync(user, merchant);
      const got = byTransaction.getSync(user, merchant);
      for (const role of ['user', 'merchant'] as const) {
        expect(Buffer.from(got[role].data.buffer)).toEqual(Buffer.from(want[role].data.buffer));
        expect([got[role].lastSeen, got[role].total]).toEqual([want[role].lastSeen, want[role].total]);
        for (const set of ['merchants', 'channels', 'countries'] as const) expect([...got[role].sets[set]]).toEqual([...want[role].sets[set]]);
      }
    }
    expect(byTransaction.getSync('u0', 'm0').user.total).toBe(100);
  });

  it('shows the visitor both states before the change, then merges it; a remembered claim is not merged again', async () => {
    const store = await MemoryProfileStore.create();
    const seen: number[] = [];
    const first = store.transactionSync(txn(1), (user, merchant) => seen.push(user.total, merchant.total));
    const second = store.transactionSync(txn(4), (user, merchant) => seen.push(user.total, merchant.total));
    expect(seen).toEqual([0, 0, 1, 0]); // t4 is u1 at m0: u1 saw t1, m0 had nothing
    expect([first.user, first.merchant]).toEqual([{ kind: 'applied', version: 0, appliedVersion: 1 }, { kind: 'applied', version: 0, appliedVersion: 1 }]);
    expect(second.user).toEqual({ kind: 'applied', version: 1, appliedVersion: 2 });
    const again = store.transactionSync(txn(1), (user) => seen.push(user.total));
    expect(again.user).toEqual({ kind: 'claimed', version: 2, appliedVersion: 1 });
    expect(store.getSync('u1', 'm1').user.total).toBe(2);
  });

  it('remembers each entity\'s last claims only', async () => {
    const store = await MemoryProfileStore.create();
    const mine = (i: number) => txn(i, { userId: 'hot', merchantId: `m${i}` });
    for (let i = 0; i <= MEMORY_CLAIMS_PER_ENTITY; i++) store.transactionSync(mine(i), () => undefined);
    expect(store.transactionSync(mine(1), () => undefined).user.kind).toBe('claimed');
    // t0's claim was overwritten by the newest (the ring holds MEMORY_CLAIMS_PER_ENTITY).
    expect(store.transactionSync(mine(0), () => undefined).user.kind).toBe('applied');
  });

  it('gives unknown entities an empty profile', async () => {
    const store = await MemoryProfileStore.create();
    const p = await store.get('nobody', 'nowhere');
    expect([p.user.total, p.merchant.total, p.user.lastSeen]).toEqual([0, 0, Number.NEGATIVE_INFINITY]);
  });
});
