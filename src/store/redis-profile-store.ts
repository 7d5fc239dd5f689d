import Redis, { Cluster } from 'ioredis';
import { isEmptyProfile, transactionDelta, type EntityRole } from '../../features';
import type { EntityOp, EntityOutcome, ProfilePair, ProfileStore, ProfileStoreAdmin, StoredProfile } from './profile-store';
import { decodeRedisEntity, encodeRedisDelta, encodeRedisProfile, parseRedisProfileKey, redisClaimKey, redisProfileKeys, redisVersionKey } from './redis-profile-codec';
import { PUT_SCRIPT, READ_SCRIPT, SENTINELS_SCRIPT, STEP_SCRIPT } from './redis-profile-scripts';
import { RedisScript } from './redis-script';
import { REDIS_SLOTS, SlotSentinels } from './redis-slot-sentinels';

interface RedisProfileStoreCommon {
  /** Prepended to every key (e.g. `fraud:`); isolates deployments and test runs sharing a server. No `{` or `}`. */
  readonly keyPrefix: string;
  /**
   * When > 0, every change sets the entity's profile and member set to expire this many seconds
   * (wall clock) after it, and its version key {@link versionTtlSeconds} after it. Default 0: keep
   * forever. Garbage collection, not a feature change, when it is at least
   * `profileExpirySeconds` (profile-expiry.ts; what the service sets): by then nothing of the profile is visible
   * to any event the service still admits, and a new profile scores the same. The entity's version
   * survives in its version key, so one that comes back continues its numbering.
   */
  readonly ttlSeconds?: number;
  /**
   * With {@link ttlSeconds}: how long the version key outlives the entity's last change, seconds
   * (at least `ttlSeconds`; default: `ttlSeconds`). Keep it at least as long as the decision log
   * keeps rows: an entity whose version key expired restarts at version 0, which a replay of rows
   * still logged at its older versions reports as a gap.
   */
  readonly versionTtlSeconds?: number;
  /**
   * How long a claim is remembered at least, ms (default one hour; at most twice that): a retry
   * or a reconciliation within it is merged once. Costs Redis memory per change (see docs/replicas.md).
   */
  readonly claimWindowMs?: number;
  /** Wall clock in ms for claim windows (default Date.now). */
  readonly wallClock?: () => number;
  /** Errors the client reports between commands (reconnects); they also reject the commands. */
  readonly onError?: (err: Error) => void;
}

export type RedisProfileStoreOptions = RedisProfileStoreCommon &
  (
    | {
        /**
         * `redis://[user:password@]host:port[/db]`; with `cluster`, one or more seed nodes of a Redis
         * Cluster (comma-separated). The store creates, connects and on close quits its own client.
         */
        readonly url: string;
        readonly cluster?: boolean;
        readonly client?: undefined;
        /**
         * Every command rejects after this many milliseconds without a reply. Default 500. While the
         * connection is down commands reject at once (no offline queue); the client reconnects by itself.
         */
        readonly commandTimeoutMs?: number;
        /** Connection attempt timeout, milliseconds. Default 2000. */
        readonly connectTimeoutMs?: number;
      }
    | {
        /** A client the caller owns (its own timeouts apply); close() leaves it open. */
        readonly client: Redis | Cluster;
        readonly url?: undefined;
        readonly cluster?: undefined;
      }
  );

/** The store's scripts (see redis-profile-scripts.ts). */
const SCRIPTS = {
  step: new RedisScript(STEP_SCRIPT),
  read: new RedisScript(READ_SCRIPT),
  put: new RedisScript(PUT_SCRIPT),
  sentinels: new RedisScript(SENTINELS_SCRIPT),
} as const;

type Client = Redis | Cluster;

const MIN_VERSION: readonly [number, number] = [6, 2]; // ZADD … GT
const HOUR_MS = 3_600_000;

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//***@');
}

function isBufferTriple(reply: unknown): reply is [Buffer, Buffer, Buffer] {
  return Array.isArray(reply) && reply.length === 3 && reply.every((part) => Buffer.isBuffer(part));
}

/** The keys a command needs on this client: what every connection option shares. */
function clientOptions(o: { commandTimeoutMs?: number; connectTimeoutMs?: number }) {
  return {
    commandTimeout: o.commandTimeoutMs ?? 500,
    connectTimeout: o.connectTimeoutMs ?? 2_000,
    // Fail fast while disconnected. A command already sent when its caller gave up may still run;
    // steps are idempotent on their claims, so a retry is safe either way.
    autoResendUnfulfilledCommands: false,
    // After a failed connect ioredis waits this long for a socket 'close' that already happened.
    disconnectTimeout: 200,
  };
}

function seedNodes(url: string): { host: string; port: number; username?: string; password?: string }[] {
  return url.split(',').map((part) => {
    const u = new URL(part.trim());
    return {
      host: u.hostname,
      port: Number(u.port || 6379),
      ...(u.username === '' ? {} : { username: decodeURIComponent(u.username) }),
      ...(u.password === '' ? {} : { password: decodeURIComponent(u.password) }),
    };
  });
}

/**
 * The Redis adapter of the profile store port (ioredis; Redis >= 6.2, standalone or Cluster).
 * Layout and merge rules: redis-profile-scripts.ts. A step is one script call per entity touching
 * that entity's keys only (one hash tag), so each is atomic on whichever Cluster node owns the
 * entity; the calls of one `step` are written together (one round trip of latency).
 */
export class RedisProfileStore implements ProfileStore, ProfileStoreAdmin {
  readonly kind = 'redis';
  readonly admin: ProfileStoreAdmin = this;
  readonly slots = REDIS_SLOTS;
  private closed = false;
  private readonly sentinels: SlotSentinels;
  private readonly claimWindowMs: number;
  private readonly wallClock: () => number;

  private constructor(
    private readonly client: Client,
    private readonly owned: boolean,
    private readonly keyPrefix: string,
    private readonly ttlSeconds: number,
    private readonly versionTtlSeconds: number,
    options: RedisProfileStoreCommon,
  ) {
    this.sentinels = new SlotSentinels(keyPrefix);
    this.claimWindowMs = options.claimWindowMs ?? HOUR_MS;
    this.wallClock = options.wallClock ?? Date.now;
  }

  /** See {@link createRedisProfileStore}. */
  static async create(options: RedisProfileStoreOptions): Promise<RedisProfileStore> {
    const ttlSeconds = options.ttlSeconds ?? 0;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0) throw new RangeError(`ttlSeconds must be a non-negative integer, got ${ttlSeconds}`);
    const versionTtlSeconds = options.versionTtlSeconds ?? ttlSeconds;
    if (!Number.isSafeInteger(versionTtlSeconds) || versionTtlSeconds < ttlSeconds || (ttlSeconds === 0 && versionTtlSeconds !== 0)) {
      throw new RangeError(`versionTtlSeconds must be an integer >= ttlSeconds (${ttlSeconds}), and 0 when it is 0; got ${versionTtlSeconds}`);
    }
    const window = options.claimWindowMs ?? HOUR_MS;
    if (!Number.isSafeInteger(window) || window < 1_000) throw new RangeError(`claimWindowMs must be an integer >= 1000, got ${window}`);
    if (/[{}]/.test(options.keyPrefix)) throw new RangeError(`keyPrefix must not contain { or } (they would change every key's hash slot), got "${options.keyPrefix}"`);
    const onError = options.onError ?? (() => undefined);
    let client: Redis | Cluster;
    if (options.client === undefined) {
      const common = clientOptions(options);
      client =
        options.cluster === true
          ? new Cluster(seedNodes(options.url), {
              lazyConnect: true,
              enableOfflineQueue: false,
              enableAutoPipelining: true,
              slotsRefreshTimeout: common.connectTimeout,
              clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
              redisOptions: { ...common, offlineQueue: false },
            })
          : new Redis(options.url, { lazyConnect: true, enableAutoPipelining: true, enableOfflineQueue: false, ...common });
      client.on('error', onError);
      try {
        await connect(client, common.connectTimeout);
        await checkVersion(client);
      } catch (err) {
        client.disconnect();
        throw new Error(`redis profile store: cannot use ${redactUrl(options.url)}: ${(err as Error).message}`, { cause: err });
      }
    } else {
      client = options.client;
      await client.ping();
      await checkVersion(client);
    }
    return new RedisProfileStore(client, options.client === undefined, options.keyPrefix, ttlSeconds, versionTtlSeconds, options);
  }

  step(ops: readonly EntityOp[]): Promise<EntityOutcome>[] {
    return this.stepReplies(ops).map((reply, i) => reply.then((r) => this.outcome(r, ops[i] as EntityOp)));
  }

  /**
   * The step scripts' replies, undecoded: what `step` sends and decodes. (The benchmark's
   * baseline makes exactly these round trips.) Throws a RangeError before sending anything when a
   * delta is not integral.
   */
  stepReplies(ops: readonly EntityOp[]): Promise<unknown>[] {
    const window = Math.floor(this.wallClock() / this.claimWindowMs);
    const calls = ops.map((op) => {
      const [h, z] = redisProfileKeys(this.keyPrefix, op.role, op.id);
      const delta = op.change.kind === 'transaction' ? transactionDelta(op.role, op.change.txn) : op.change.delta;
      const keys = [h, z, redisClaimKey(h, window - 1), redisClaimKey(h, window), redisClaimKey(h, window + 1), this.sentinels.keyFor(h), redisVersionKey(h)];
      return { keys, args: [op.claim, op.change.kind === 'transaction' ? '1' : '0', String(2 * this.claimWindowMs), encodeRedisDelta(delta, this.ttlSeconds), String(this.versionTtlSeconds)] };
    });
    return calls.map((c) => SCRIPTS.step.runBuffer(this.client, c.keys, c.args));
  }

  /**
   * Both profiles with their versions, each read in one script call (the two run concurrently).
   * Unknown entities are empty at version 0. Rejects when Redis fails or does not answer within the
   * command timeout, or when stored data is malformed.
   */
  async get(userId: string, merchantId: string): Promise<ProfilePair> {
    const [user, merchant] = await Promise.all([this.read('user', userId), this.read('merchant', merchantId)]);
    return { user: user.state, merchant: merchant.state, userVersion: user.version, merchantVersion: merchant.version };
  }

  /** One entity as stored (empty at version 0 when unknown; empty at its version when only its version key is left). */
  async read(role: EntityRole, id: string): Promise<StoredProfile> {
    return (await this.readEntity(role, id)).profile;
  }

  private async readEntity(role: EntityRole, id: string): Promise<{ readonly profile: StoredProfile; readonly expired: boolean }> {
    const [h, z] = redisProfileKeys(this.keyPrefix, role, id);
    const reply = await SCRIPTS.read.runBuffer(this.client, [h, z, redisVersionKey(h)], []);
    if (!isBufferTriple(reply)) throw new Error('redis profile store: unexpected reply to the read script');
    const { state, version } = decodeRedisEntity({ blob: reply[0], members: reply[1], version: reply[2] }, `${role} ${id}`);
    return { profile: { role, id, state, version }, expired: reply[0].length === 0 };
  }

  /** Resolves when Redis answers PING within the command timeout; rejects otherwise. */
  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Slots whose sentinel is missing, ascending: every slot of a store never initialised or wholly lost. */
  lostSlots(): Promise<number[]> {
    return this.sentinelPass('check', Array.from({ length: REDIS_SLOTS }, (_, s) => s));
  }

  /** Creates the sentinels of `slots` (default: every slot); existing ones are kept. */
  async restoreSentinels(slots: readonly number[] = Array.from({ length: REDIS_SLOTS }, (_, s) => s)): Promise<void> {
    await this.sentinelPass('restore', slots);
  }

  /**
   * The slots among `slots` whose sentinel is missing (creating it, for `restore`). A standalone
   * server takes them in chunks of one script call; a cluster node only takes keys of one slot in
   * a call, so there it is one command per slot (pipelined by the client).
   */
  private async sentinelPass(mode: 'check' | 'restore', slots: readonly number[]): Promise<number[]> {
    const stamp = new Date(this.wallClock()).toISOString();
    if (this.client instanceof Cluster) {
      const present = await Promise.all(
        slots.map((slot) => {
          const key = this.sentinels.keyOfSlot(slot);
          return mode === 'check' ? this.client.exists(key) : this.client.set(key, stamp, 'NX').then((r) => (r === null ? 1 : 0));
        }),
      );
      return slots.filter((_, i) => present[i] === 0);
    }
    const missing: number[] = [];
    for (let at = 0; at < slots.length; at += 1_024) {
      const chunk = slots.slice(at, at + 1_024);
      const reply = (await SCRIPTS.sentinels.run(this.client, chunk.map((slot) => this.sentinels.keyOfSlot(slot)), [mode, stamp])) as number[];
      for (const i of reply) missing.push(chunk[i - 1] as number);
    }
    return missing;
  }

  /** The hash slot of an entity's keys. */
  slotOf(role: EntityRole, id: string): number {
    return this.sentinels.slotOf(redisProfileKeys(this.keyPrefix, role, id)[0]);
  }

  /**
   * Replaces one entity (its state and version) and records `claims` (claim, version) in the current
   * claim window. An empty state is kept as its version key alone (an expired entity's). Throws a
   * RangeError for a state a profile cannot hold.
   */
  async put(p: StoredProfile, claims: readonly (readonly [string, number])[] = []): Promise<void> {
    const [h, z] = redisProfileKeys(this.keyPrefix, p.role, p.id);
    const { blob, members } = isEmptyProfile(p.state) ? { blob: '', members: [] } : encodeRedisProfile(p.state, p.version);
    const window = Math.floor(this.wallClock() / this.claimWindowMs);
    await SCRIPTS.put.run(this.client, [h, z, redisClaimKey(h, window), redisVersionKey(h)], [
      blob, String(this.ttlSeconds), String(2 * this.claimWindowMs),
      String(members.length / 2), ...members,
      ...claims.flatMap(([claim, version]) => [claim, String(version)]),
      String(p.version), String(this.versionTtlSeconds),
    ]);
  }

  /**
   * Every entity stored under the key prefix, in no particular order (SCAN on every master): those
   * with a profile, and those whose profile expired as empty profiles at their kept versions.
   */
  async *profiles(): AsyncGenerator<StoredProfile> {
    const nodes = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${this.keyPrefix}[um]:{*}:[pv]`, 'COUNT', 1_000);
        cursor = next;
        for (const key of keys) {
          const entity = parseRedisProfileKey(this.keyPrefix, key);
          if (entity === null) continue;
          const { profile, expired } = await this.readEntity(entity.role, entity.id);
          // An entity with a profile is listed once, by its profile key.
          if (entity.kind === 'profile' || expired) yield profile;
        }
      } while (cursor !== '0');
    }
  }

  /** Quits the client the store created (idempotent); an injected client stays open. */
  async close(): Promise<void> {
    if (!this.owned || this.closed) return;
    this.closed = true;
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private outcome(reply: unknown, op: EntityOp): EntityOutcome {
    if (!Array.isArray(reply) || typeof reply[0] !== 'number') throw new Error('redis profile store: unexpected reply to the step script');
    const status = reply[0];
    if (status === 0) return { kind: 'lost' };
    const [, version, appliedVersion, blob, members] = reply as [number, number, number, Buffer, Buffer];
    const state = op.change.kind === 'transaction' ? decodeRedisEntity({ blob, members }, `${op.role} ${op.id}`).state : null;
    return { kind: status === 1 ? 'applied' : 'claimed', state, version, appliedVersion };
  }
}

async function connect(client: Redis | Cluster, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkVersion(client: Redis | Cluster): Promise<void> {
  const node = client instanceof Cluster ? (client.nodes('master')[0] as Redis) : client;
  const info = await node.info('server');
  const m = /redis_version:(\d+)\.(\d+)/.exec(info);
  const [major, minor] = [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
  if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
    throw new Error(`Redis ${MIN_VERSION.join('.')} or newer is required, server reports ${m === null ? 'no version' : `${major}.${minor}`}`);
  }
}

/**
 * A Redis profile store, connected and checked (PING, server version) when the promise resolves.
 * Rejects when Redis is unreachable within the connect timeout, too old, or an option is invalid
 * (RangeError). Initialising the slot sentinels is the caller's decision (`restoreSentinels`).
 */
export function createRedisProfileStore(options: RedisProfileStoreOptions): Promise<RedisProfileStore> {
  return RedisProfileStore.create(options);
}
