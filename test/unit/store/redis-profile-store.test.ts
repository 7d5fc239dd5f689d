import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { emptyProfile, RING_OFFSET, TOP_OFFSET, transactionDelta } from '../../../features';
import { PROFILE_BLOB_DOUBLES } from '../../../src/store/redis-profile-scripts';
import { createRedisProfileStore, type RedisProfileStore } from '../../../src/store/redis-profile-store';
import { applyUpdates, T0, txn, type ProfileUpdate } from '../../contract/support/profile-events';
import { redisAvailable, redisTestUrl } from '../../contract/support/profile-redis-harness';

// What the contract cannot see: the stored layout, garbage collection, expiry, claim windows, client ownership.
const describeRedis = redisAvailable() ? describe : describe.skip;

describeRedis('redis profile store (real server)', () => {
  const url = redisTestUrl();
  let redis: Redis;
  let keyPrefix: string;

  beforeEach(() => {
    redis = new Redis(url);
    keyPrefix = `test:profiles:${randomBytes(6).toString('hex')}:`;
  });

  afterEach(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    await redis.quit();
  });

  const userUpdate = (i: number, t: number, merchantId: string): ProfileUpdate => ({ role: 'user', id: 'u.1', delta: transactionDelta('user', txn(i, t, { merchantId, amountMinor: 1_000 + i })) });

  /** A store on the test prefix, its sentinels created (as a new deployment's first service does). */
  async function open(options: Partial<Parameters<typeof createRedisProfileStore>[0]> = {}): Promise<RedisProfileStore> {
    const store = await createRedisProfileStore({ url, keyPrefix, ...options } as Parameters<typeof createRedisProfileStore>[0]);
    await store.restoreSentinels();
    return store;
  }

  it('stores the profile as one blob of doubles (version, lastSeen, total, the profile data), and members with their time as score', async () => {
    const store = await open();
    try {
      await applyUpdates(store, [userUpdate(1, T0 + 7_200, 'm-1')]);
      const m5 = Math.floor((T0 + 7_200) / 300);
      const blob = (await redis.getBuffer(`${keyPrefix}u:{u.1}:p`)) as Buffer;
      const d = (i: number) => blob.readDoubleLE(8 * i);
      expect([blob.length, d(0), d(1), d(2), d(3 + TOP_OFFSET), d(3 + (RING_OFFSET[0] as number) + (m5 % 13)), d(3 + (RING_OFFSET[0] as number) + 13 + (m5 % 13))]).toEqual([
        8 * PROFILE_BLOB_DOUBLES, 1, T0 + 7_200, 1, m5, 1, 1_001,
      ]);
      expect(await redis.zrange(`${keyPrefix}u:{u.1}:set`, 0, -1, 'WITHSCORES')).toEqual(['0:m-1', String(T0 + 7_200)]);
    } finally {
      await store.close();
    }
  });

  it('deletes members that fell behind the horizon, and never lowers a member time', async () => {
    const store = await open();
    try {
      await applyUpdates(store, [userUpdate(1, T0, 'old'), userUpdate(2, T0 + 1_000, 'kept')]);
      await applyUpdates(store, [userUpdate(3, T0 + 90 * 86_400 + 500, 'new'), userUpdate(4, T0 + 999, 'kept')]);
      expect(await redis.zrange(`${keyPrefix}u:{u.1}:set`, 0, -1, 'WITHSCORES')).toEqual(['0:kept', String(T0 + 1_000), '0:new', String(T0 + 90 * 86_400 + 500)]);
    } finally {
      await store.close();
    }
  });

  it('refreshes the expiry of the profile and its members, and the longer one of the version key, on every apply when ttlSeconds is set; sets none by default', async () => {
    const expiring = await open({ ttlSeconds: 600, versionTtlSeconds: 86_400 });
    const keeping = await createRedisProfileStore({ url, keyPrefix: `${keyPrefix}keep:` });
    await keeping.restoreSentinels();
    try {
      await applyUpdates(expiring, [userUpdate(1, T0, 'm-1')]);
      await applyUpdates(keeping, [userUpdate(1, T0, 'm-1')]);
      for (const key of [`${keyPrefix}u:{u.1}:p`, `${keyPrefix}u:{u.1}:set`]) expect(await redis.ttl(key)).toBeGreaterThan(590);
      expect(await redis.ttl(`${keyPrefix}u:{u.1}:v`)).toBeGreaterThan(86_390);
      expect(await redis.get(`${keyPrefix}u:{u.1}:v`)).toBe('1');
      await redis.expire(`${keyPrefix}u:{u.1}:p`, 5);
      await applyUpdates(expiring, [userUpdate(2, T0 + 60, 'm-1')]);
      expect([await redis.ttl(`${keyPrefix}u:{u.1}:p`), await redis.get(`${keyPrefix}u:{u.1}:v`)]).toEqual([600, '2']);
      expect(await redis.ttl(`${keyPrefix}keep:u:{u.1}:p`)).toBe(-1);
      expect(await redis.exists(`${keyPrefix}keep:u:{u.1}:v`)).toBe(0);
    } finally {
      await expiring.close();
      await keeping.close();
    }
  });

  it('reads an entity whose profile expired as empty at its version, continues from it, and lists and puts it as such', async () => {
    const store = await open({ ttlSeconds: 600, versionTtlSeconds: 86_400 });
    try {
      await applyUpdates(store, [userUpdate(1, T0, 'm-1'), userUpdate(2, T0 + 60, 'm-2')]);
      // The profile and its members expire (here: at once); the version key stays.
      await redis.del(`${keyPrefix}u:{u.1}:p`, `${keyPrefix}u:{u.1}:set`);
      const gone = await store.read('user', 'u.1');
      expect([gone.version, gone.state.lastSeen, gone.state.total, gone.state.sets.merchants.size]).toEqual([2, Number.NEGATIVE_INFINITY, 0, 0]);
      const listed: string[] = [];
      for await (const p of store.profiles()) listed.push(`${p.role} ${p.id} v${p.version} ${p.state.total}`);
      expect(listed).toEqual(['user u.1 v2 0']);
      const [next] = await applyUpdates(store, [userUpdate(3, T0 + 120, 'm-3')]);
      expect(next?.kind === 'lost' ? 'lost' : [next?.kind, next?.version, next?.appliedVersion]).toEqual(['applied', 2, 3]);
      expect((await store.read('user', 'u.1')).state.total).toBe(1);
      // A put of an empty profile (a snapshot's tombstone) keeps its version alone.
      await store.put({ role: 'merchant', id: 'gone', state: emptyProfile(), version: 12 });
      expect([await redis.exists(`${keyPrefix}m:{gone}:p`), await redis.get(`${keyPrefix}m:{gone}:v`)]).toEqual([0, '12']);
      expect((await store.get('u.1', 'gone')).merchantVersion).toBe(12);
      listed.length = 0;
      for await (const p of store.profiles()) listed.push(`${p.role} ${p.id} v${p.version} ${p.state.total}`);
      expect(listed.sort()).toEqual(['merchant gone v12 0', 'user u.1 v3 1']);
    } finally {
      await store.close();
    }
  });

  it('rejects a delta that is not integral before writing anything', async () => {
    const store = await createRedisProfileStore({ url, keyPrefix });
    try {
      const bad: ProfileUpdate = { role: 'merchant', id: 'm', delta: { counters: [{ tier: 0, bucket: 1, field: 's', by: 0.5 }], seenAt: null, total: 0, members: [] } };
      expect(() => applyUpdates(store, [userUpdate(1, T0, 'm-1'), bad])).toThrow(new RangeError('profile delta: counter increment must be a safe integer, got 0.5'));
      expect(await redis.keys(`${keyPrefix}*`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('uses an injected client and leaves it open on close', async () => {
    const client = new Redis(url);
    try {
      const store = await createRedisProfileStore({ client, keyPrefix });
      await store.restoreSentinels();
      await applyUpdates(store, [userUpdate(1, T0, 'm-1')]);
      expect((await store.get('u.1', 'm-1')).user.total).toBe(1);
      await store.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });

  it('rejects a negative ttlSeconds, a version TTL shorter than it, a short claim window, and a key prefix with braces', async () => {
    await expect(createRedisProfileStore({ url, keyPrefix, ttlSeconds: -5 })).rejects.toThrow(new RangeError('ttlSeconds must be a non-negative integer, got -5'));
    await expect(createRedisProfileStore({ url, keyPrefix, ttlSeconds: 600, versionTtlSeconds: 599 })).rejects.toThrow(new RangeError('versionTtlSeconds must be an integer >= ttlSeconds (600), and 0 when it is 0; got 599'));
    await expect(createRedisProfileStore({ url, keyPrefix, claimWindowMs: 999 })).rejects.toThrow(new RangeError('claimWindowMs must be an integer >= 1000, got 999'));
    await expect(createRedisProfileStore({ url, keyPrefix: 'a{b}:' })).rejects.toThrow(new RangeError('keyPrefix must not contain { or } (they would change every key\'s hash slot), got "a{b}:"'));
  });

  it('remembers a claim for at least its window and forgets it within two; the claim hashes expire by themselves', async () => {
    let now = 10_000_000;
    const store = await open({ claimWindowMs: 60_000, wallClock: () => now });
    const step = () => Promise.all(store.step([{ role: 'user', id: 'u.1', claim: 't-1', change: { kind: 'transaction', txn: txn(1, T0) } }]));
    try {
      expect((await step())[0]?.kind).toBe('applied');
      const claimKeys = await redis.keys(`${keyPrefix}u:{u.1}:c*`);
      expect(claimKeys).toEqual([`${keyPrefix}u:{u.1}:c${Math.floor(now / 60_000)}`]);
      const ttl = await redis.pttl(claimKeys[0] as string);
      expect(ttl).toBeGreaterThan(119_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
      now += 59_999; // still the window, or the next: found
      expect((await step())[0]?.kind).toBe('claimed');
      now -= 120_000; // a replica whose clock is a window behind still finds it
      expect((await step())[0]?.kind).toBe('claimed');
      now += 120_000 + 60_001; // two windows on: forgotten (and the key has expired by then)
      const again = await step();
      expect(again[0]?.kind === 'lost' ? 'lost' : [again[0]?.kind, again[0]?.appliedVersion]).toEqual(['applied', 2]);
    } finally {
      await store.close();
    }
  });
});
