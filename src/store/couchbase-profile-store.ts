import { CasMismatchError, connect, DocumentExistsError, DocumentNotFoundError, type Cas, type Cluster, type Collection } from 'couchbase';
import { couchbaseProfileKey, documentVersion, type ProfileDocument } from './couchbase-profile-document';
import { documentProfile, jitteredBackoff, stepProfileDocument, type ProfileDocumentOps, type StepOptions, type WriteOutcome } from './couchbase-profile-update';
import { groupIncrements } from './profile-codec';
import type { EntityOp, EntityOutcome, ProfilePair, ProfileStore } from './profile-store';

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
  /**
   * When > 0, an entity's profile reads as empty once unchanged for this many seconds (wall clock),
   * its version kept: garbage collection, no feature change, when it is at least
   * `profileExpirySeconds` (profile-expiry.ts; what the service sets). Default 0 = never.
   */
  readonly ttlSeconds?: number;
  /**
   * With {@link ttlSeconds}: every write sets the document (profile, version, claims) to expire this
   * many seconds after it (Couchbase document expiry; at least `ttlSeconds`, default `ttlSeconds`).
   * Keep it at least as long as the decision log keeps rows, as for Redis. An expired profile's
   * counters stay stored until the entity's next change or the document's expiry.
   */
  readonly versionTtlSeconds?: number;
  /** Deadline of each key-value operation, milliseconds. Default 500. */
  readonly timeoutMs?: number;
  /** Deadline of connecting and bootstrapping, milliseconds. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Reads per step before giving up under write contention. Default 16. */
  readonly maxWriteAttempts?: number;
  /** Claims are kept in an entity's document for this long, ms (default one hour)... */
  readonly claimWindowMs?: number;
  /** ...and at most this many per document, the newest (default 1000). */
  readonly maxClaims?: number;
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
  };
}

/** What a store on any document operations needs besides them. */
interface StoreParts<C> {
  readonly ops: ProfileDocumentOps<C>;
  readonly keyPrefix: string;
  readonly step: StepOptions;
  /** Resolves when the backend answers; rejects otherwise. */
  readonly ping: () => Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * The Couchbase adapter of the profile store port (official SDK 4.x): one JSON document per entity
 * (layout: couchbase-profile-document.ts) holding its profile, version and recent claims. A step is
 * a read and a CAS-guarded rewrite of one document (couchbase-profile-update.ts), retried on a lost
 * race; the steps of one call run concurrently (one round trip of latency). A hot entity's steps
 * serialise on its document's CAS: exact order costs contention there.
 */
export class CouchbaseProfileStore<C = Cas> implements ProfileStore {
  readonly kind = 'couchbase';
  private closed = false;

  private constructor(private readonly parts: StoreParts<C>) {}

  /** See {@link createCouchbaseProfileStore}. */
  static async create(options: CouchbaseProfileStoreOptions): Promise<CouchbaseProfileStore> {
    const timeoutMs = options.timeoutMs ?? 500;
    const maxWriteAttempts = options.maxWriteAttempts ?? 16;
    const ttlSeconds = options.ttlSeconds ?? 0;
    const versionTtlSeconds = options.versionTtlSeconds ?? ttlSeconds;
    const connectTimeout = options.connectTimeoutMs ?? 10_000;
    const claimWindowMs = options.claimWindowMs ?? 3_600_000;
    const maxClaims = options.maxClaims ?? 1_000;
    for (const [name, v, min] of [['ttlSeconds', ttlSeconds, 0], ['versionTtlSeconds', versionTtlSeconds, ttlSeconds], ['timeoutMs', timeoutMs, 1], ['maxWriteAttempts', maxWriteAttempts, 1], ['connectTimeoutMs', connectTimeout, 1], ['claimWindowMs', claimWindowMs, 1], ['maxClaims', maxClaims, 1]] as const) {
      if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
    }
    const fail = (err: unknown): Error => new Error(`couchbase profile store: cannot use bucket ${options.bucket} at ${options.connectionString}: ${(err as Error).message}`, { cause: err });
    let cluster: Cluster;
    try {
      cluster = await connect(options.connectionString, {
        username: options.username,
        password: options.password,
        timeouts: { kvTimeout: timeoutMs, connectTimeout, bootstrapTimeout: connectTimeout },
      });
    } catch (err) {
      throw fail(err);
    }
    const collection = cluster.bucket(options.bucket).scope(options.scope ?? '_default').collection(options.collection ?? '_default');
    try {
      await collection.exists(PING_KEY, { timeout: connectTimeout });
    } catch (err) {
      await cluster.close().catch(() => undefined);
      throw fail(err);
    }
    return new CouchbaseProfileStore<Cas>({
      ops: documentOps(collection, timeoutMs, versionTtlSeconds),
      keyPrefix: options.keyPrefix ?? '',
      step: { maxAttempts: maxWriteAttempts, backoff: jitteredBackoff, claimWindowMs, maxClaims, now: Date.now, profileTtlMs: ttlSeconds * 1000 },
      ping: async () => {
        await collection.exists(PING_KEY, { timeout: timeoutMs });
      },
      close: () => cluster.close(),
    });
  }

  /** A store on any document operations (a test double of a bucket): the adapter's logic without a server. */
  static onDocuments<C>(parts: StoreParts<C>): CouchbaseProfileStore<C> {
    return new CouchbaseProfileStore(parts);
  }

  step(ops: readonly EntityOp[]): Promise<EntityOutcome>[] {
    for (const op of ops) if (op.change.kind === 'delta') groupIncrements(op.change.delta); // rejects a bad delta before any I/O
    const { parts } = this;
    return ops.map((op) => stepProfileDocument(parts.ops, couchbaseProfileKey(parts.keyPrefix, op.role, op.id), op, parts.step));
  }

  /**
   * Both profiles with their versions; the two reads run concurrently. A missing document is an
   * empty profile at version 0, an expired profile an empty one at its version. Rejects when an
   * operation fails or times out, or a document is malformed.
   */
  async get(userId: string, merchantId: string): Promise<ProfilePair> {
    const { ops, keyPrefix, step } = this.parts;
    const userKey = couchbaseProfileKey(keyPrefix, 'user', userId);
    const merchantKey = couchbaseProfileKey(keyPrefix, 'merchant', merchantId);
    const [user, merchant] = await Promise.all([ops.read(userKey), ops.read(merchantKey)]);
    const [u, m] = [user?.content ?? null, merchant?.content ?? null];
    const now = step.now();
    const ttl = step.profileTtlMs ?? 0;
    return { user: documentProfile(u, userKey, now, ttl), merchant: documentProfile(m, merchantKey, now, ttl), userVersion: documentVersion(u, userKey), merchantVersion: documentVersion(m, merchantKey) };
  }

  /** Resolves when the collection answers a key-value request within the timeout; rejects otherwise. */
  ping(): Promise<void> {
    return this.parts.ping();
  }

  /** Closes the cluster connection (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.parts.close();
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
