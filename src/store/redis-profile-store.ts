import Redis, { type ChainableCommander } from 'ioredis';
import type { ProfilePair, ProfileStore, ProfileUpdate } from './profile-store';
import { decodeRedisProfile, encodeRedisDelta, redisProfileKeys } from './redis-profile-codec';
import { APPLY_SCRIPT, GET_SCRIPT } from './redis-profile-scripts';

interface RedisProfileStoreCommon {
  /** Prepended to every key (e.g. `fraud:`); isolates deployments and test runs sharing a server. */
  readonly keyPrefix: string;
  /**
   * When > 0, every apply refreshes the entity's keys to expire after this many seconds (wall clock).
   * Default 0: keep forever. Expiry is a *feature change*, not garbage collection: lastSeen and total
   * never become invisible, so an expired entity scores as a new one.
   */
  readonly ttlSeconds?: number;
  /** Errors the client reports between commands (reconnects); they also reject the commands. */
  readonly onError?: (err: Error) => void;
}

export type RedisProfileStoreOptions = RedisProfileStoreCommon &
  (
    | {
        /** `redis://[user:password@]host:port[/db]`: the store creates, connects and on close quits its own client. */
        readonly url: string;
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
        readonly client: Redis;
        readonly url?: undefined;
      }
  );

/** The store's two Lua scripts as ioredis custom commands (see redis-profile-scripts.ts). */
interface ProfileScripts<R> {
  fraudProfileApply(...args: string[]): R;
  fraudProfileGet(...args: string[]): R;
}

const MIN_VERSION: readonly [number, number] = [6, 2]; // ZADD … GT

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function isGetReply(reply: unknown): reply is [string[], string[], string[], string[]] {
  return Array.isArray(reply) && reply.length === 4 && reply.every((part) => Array.isArray(part));
}

/**
 * The Redis adapter of the profile store port (ioredis; Redis >= 6.2). Layout and merge rules:
 * redis-profile-scripts.ts. `apply` sends one atomic script call per profile update, all updates
 * in one pipeline (one round trip); `get` is one script call reading both entities. Standalone or
 * Sentinel servers: `get` touches keys of two entities, which Redis Cluster would refuse.
 */
export class RedisProfileStore implements ProfileStore {
  readonly kind = 'redis';
  private closed = false;

  private constructor(
    private readonly client: Redis & ProfileScripts<Promise<unknown>>,
    private readonly owned: boolean,
    private readonly keyPrefix: string,
    private readonly ttlSeconds: number,
  ) {}

  /** See {@link createRedisProfileStore}. */
  static async create(options: RedisProfileStoreOptions): Promise<RedisProfileStore> {
    const ttlSeconds = options.ttlSeconds ?? 0;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0) throw new RangeError(`ttlSeconds must be a non-negative integer, got ${ttlSeconds}`);
    const onError = options.onError ?? (() => undefined);
    let client: Redis;
    if (options.client === undefined) {
      client = new Redis(options.url, {
        lazyConnect: true,
        commandTimeout: options.commandTimeoutMs ?? 500,
        connectTimeout: options.connectTimeoutMs ?? 2_000,
        // Fail fast while disconnected, and never send a command after its caller saw it fail:
        // a queued or resent update would otherwise land later, behind a rejection that invites a retry.
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        // After a failed connect ioredis waits this long for a socket 'close' that already happened.
        disconnectTimeout: 200,
      });
      client.on('error', onError);
      try {
        await client.connect();
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
    client.defineCommand('fraudProfileApply', { numberOfKeys: 2, lua: APPLY_SCRIPT });
    client.defineCommand('fraudProfileGet', { numberOfKeys: 4, lua: GET_SCRIPT, readOnly: true });
    return new RedisProfileStore(client as Redis & ProfileScripts<Promise<unknown>>, options.client === undefined, options.keyPrefix, ttlSeconds);
  }

  /**
   * Both profiles in one command. Unknown entities are empty profiles. Rejects when Redis fails or
   * does not answer within the command timeout, or when stored data is malformed.
   */
  async get(userId: string, merchantId: string): Promise<ProfilePair> {
    const [uh, uz] = redisProfileKeys(this.keyPrefix, 'user', userId);
    const [mh, mz] = redisProfileKeys(this.keyPrefix, 'merchant', merchantId);
    const reply = await this.client.fraudProfileGet(uh, uz, mh, mz);
    if (!isGetReply(reply)) throw new Error('redis profile store: unexpected reply to the get script');
    return { user: decodeRedisProfile(reply[0], reply[1], `user ${userId}`), merchant: decodeRedisProfile(reply[2], reply[3], `merchant ${merchantId}`) };
  }

  /**
   * Merges every update, each atomically, in one round trip. Rejects with a RangeError before any
   * I/O when a delta is not integral; rejects with the first failure when any update failed (the
   * others may have been applied).
   */
  async apply(updates: readonly ProfileUpdate[]): Promise<void> {
    const calls = updates.map((u) => [...redisProfileKeys(this.keyPrefix, u.role, u.id), ...encodeRedisDelta(u.delta, this.ttlSeconds)]);
    if (calls.length === 0) return;
    if (calls.length === 1) {
      await this.client.fraudProfileApply(...(calls[0] as string[]));
      return;
    }
    const pipeline = this.client.pipeline() as ChainableCommander & ProfileScripts<ChainableCommander>;
    for (const args of calls) pipeline.fraudProfileApply(...args);
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed !== undefined) throw failed[0] as Error;
  }

  /** Resolves when Redis answers PING within the command timeout; rejects otherwise. */
  async ping(): Promise<void> {
    await this.client.ping();
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
}

async function checkVersion(client: Redis): Promise<void> {
  const info = await client.info('server');
  const m = /redis_version:(\d+)\.(\d+)/.exec(info);
  const [major, minor] = [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
  if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
    throw new Error(`Redis ${MIN_VERSION.join('.')} or newer is required, server reports ${m === null ? 'no version' : `${major}.${minor}`}`);
  }
}

/**
 * A Redis profile store, connected and checked (PING, server version) when the promise resolves.
 * Rejects when Redis is unreachable within the connect timeout, too old, or a numeric option is
 * invalid (RangeError).
 */
export function createRedisProfileStore(options: RedisProfileStoreOptions): Promise<RedisProfileStore> {
  return RedisProfileStore.create(options);
}
