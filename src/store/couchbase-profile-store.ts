import {
  CasMismatchError,
  connect,
  DocumentExistsError,
  DocumentNotFoundError,
  MutateInSpec,
  type Cas,
  type Cluster,
  type Collection,
} from 'couchbase';
import type { ProfileDelta } from '../../features';
import { couchbaseProfileKey, decodeProfileDocument, type ProfileDocument } from './couchbase-profile-document';
import { jitteredBackoff, updateProfileDocument, type ProfileDocumentOps, type WriteOutcome } from './couchbase-profile-update';
import type { PathIncrement } from './couchbase-write-plan';
import { combineDeltas, groupIncrements } from './profile-codec';
import type { ProfilePair, ProfileStore, ProfileUpdate } from './profile-store';

export interface CouchbaseProfileStoreOptions {
  /** `couchbase://host[,host…]` or `couchbases://…`. */
  readonly connectionString: string;
  readonly username: string;
  readonly password: string;
  readonly bucket: string;
  /** Default `_default`. */
  readonly scope?: string;
  /** Default `_default`. */
  readonly collection?: string;
  /** Prepended to every document key; isolates deployments and test runs. Default ''. */
  readonly keyPrefix?: string;
  /** When > 0, every write sets the document to expire after this many seconds. Default 0 = never (see the Redis store on why expiry changes features). */
  readonly ttlSeconds?: number;
  /** Deadline of each key-value operation, milliseconds. Default 500. */
  readonly timeoutMs?: number;
  /** Deadline of connecting and bootstrapping, milliseconds. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Reads per update before giving up under write contention. Default 16. */
  readonly maxWriteAttempts?: number;
}

const PING_KEY = '__profile_store_ping__';

async function outcome(write: Promise<unknown>): Promise<WriteOutcome> {
  try {
    await write;
    return 'ok';
  } catch (err) {
    if (err instanceof CasMismatchError || err instanceof DocumentExistsError || err instanceof DocumentNotFoundError) return 'conflict';
    throw err;
  }
}

/** The key-value operations of couchbase-profile-update.ts on one collection. */
function documentOps(collection: Collection, timeout: number, expiry: number): ProfileDocumentOps<Cas> {
  const expiryOption = expiry > 0 ? { expiry } : {};
  return {
    async read(key) {
      try {
        const r = await collection.get(key, { timeout });
        return { content: r.content as unknown, cas: r.cas };
      } catch (err) {
        if (err instanceof DocumentNotFoundError) return null;
        throw err;
      }
    },
    insert: (key, document: ProfileDocument) => outcome(collection.insert(key, document, { timeout, ...expiryOption })),
    replace: (key, document: ProfileDocument, cas) => outcome(collection.replace(key, document, { timeout, cas, ...expiryOption })),
    increment: (key, increments: readonly PathIncrement[]) =>
      outcome(collection.mutateIn(key, increments.map((i) => MutateInSpec.increment(i.path, i.by, { createPath: true })), { timeout, ...expiryOption })),
  };
}

/**
 * The Couchbase adapter of the profile store port (official SDK 4.x): one JSON document per entity
 * (layout: couchbase-profile-document.ts). `get` reads both documents concurrently (one round trip
 * of latency). `apply` merges each entity's updates with one sub-document increment request when
 * only counters inside the window change, else with a CAS-guarded rewrite retried on conflict
 * (couchbase-write-plan.ts says why).
 */
export class CouchbaseProfileStore implements ProfileStore {
  readonly kind = 'couchbase';
  private closed = false;

  private constructor(
    private readonly cluster: Cluster,
    private readonly collection: Collection,
    private readonly ops: ProfileDocumentOps<Cas>,
    private readonly options: Required<Pick<CouchbaseProfileStoreOptions, 'keyPrefix' | 'timeoutMs' | 'maxWriteAttempts'>>,
  ) {}

  /** See {@link createCouchbaseProfileStore}. */
  static async create(options: CouchbaseProfileStoreOptions): Promise<CouchbaseProfileStore> {
    const resolved = { keyPrefix: options.keyPrefix ?? '', timeoutMs: options.timeoutMs ?? 500, maxWriteAttempts: options.maxWriteAttempts ?? 16 };
    const ttlSeconds = options.ttlSeconds ?? 0;
    const connectTimeout = options.connectTimeoutMs ?? 10_000;
    for (const [name, v, min] of [['ttlSeconds', ttlSeconds, 0], ['timeoutMs', resolved.timeoutMs, 1], ['maxWriteAttempts', resolved.maxWriteAttempts, 1], ['connectTimeoutMs', connectTimeout, 1]] as const) {
      if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
    }
    const fail = (err: unknown): Error => new Error(`couchbase profile store: cannot use bucket ${options.bucket} at ${options.connectionString}: ${(err as Error).message}`, { cause: err });
    let cluster: Cluster;
    try {
      cluster = await connect(options.connectionString, {
        username: options.username,
        password: options.password,
        timeouts: { kvTimeout: resolved.timeoutMs, connectTimeout, bootstrapTimeout: connectTimeout },
      });
    } catch (err) {
      throw fail(err);
    }
    const collection = cluster.bucket(options.bucket).scope(options.scope ?? '_default').collection(options.collection ?? '_default');
    const store = new CouchbaseProfileStore(cluster, collection, documentOps(collection, resolved.timeoutMs, ttlSeconds), resolved);
    try {
      await collection.exists(PING_KEY, { timeout: connectTimeout });
    } catch (err) {
      await cluster.close().catch(() => undefined);
      throw fail(err);
    }
    return store;
  }

  /**
   * Both profiles; the two reads run concurrently. A missing document is an empty profile. Rejects
   * when an operation fails or times out, or a document is malformed.
   */
  async get(userId: string, merchantId: string): Promise<ProfilePair> {
    const userKey = couchbaseProfileKey(this.options.keyPrefix, 'user', userId);
    const merchantKey = couchbaseProfileKey(this.options.keyPrefix, 'merchant', merchantId);
    const [user, merchant] = await Promise.all([this.ops.read(userKey), this.ops.read(merchantKey)]);
    return { user: decodeProfileDocument(user?.content ?? null, userKey), merchant: decodeProfileDocument(merchant?.content ?? null, merchantKey) };
  }

  /**
   * Merges every update; updates of one entity are combined into one atomic write, entities are
   * written concurrently. Rejects (after all writes settle) with the first failure; the other
   * entities' updates may have been applied. RangeError for a delta that is not integral.
   */
  async apply(updates: readonly ProfileUpdate[]): Promise<void> {
    const byKey = new Map<string, ProfileDelta[]>();
    for (const u of updates) {
      const key = couchbaseProfileKey(this.options.keyPrefix, u.role, u.id);
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [u.delta]);
      else list.push(u.delta);
    }
    const writes = [...byKey].map(([key, deltas]) => [key, combineDeltas(deltas)] as const);
    for (const [, delta] of writes) groupIncrements(delta); // rejects a bad delta before any I/O
    const options = { maxAttempts: this.options.maxWriteAttempts, backoff: jitteredBackoff };
    const results = await Promise.allSettled(writes.map(([key, delta]) => updateProfileDocument(this.ops, key, delta, options)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Resolves when the collection answers a key-value request within the timeout; rejects otherwise. */
  async ping(): Promise<void> {
    await this.collection.exists(PING_KEY, { timeout: this.options.timeoutMs });
  }

  /** Closes the cluster connection (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cluster.close();
  }
}

/**
 * A Couchbase profile store, connected and checked (one key-value request) when the promise
 * resolves. Rejects when the cluster or bucket is unreachable, credentials are refused, or a
 * numeric option is invalid (RangeError).
 */
export function createCouchbaseProfileStore(options: CouchbaseProfileStoreOptions): Promise<CouchbaseProfileStore> {
  return CouchbaseProfileStore.create(options);
}
