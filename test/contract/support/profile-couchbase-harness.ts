import { randomBytes } from 'node:crypto';
import { connect, DocumentNotFoundError } from 'couchbase';
import { couchbaseProfileKey } from '../../../src/store/couchbase-profile-document';
import { CouchbaseProfileStore, createCouchbaseProfileStore } from '../../../src/store/couchbase-profile-store';
import { InMemoryProfileDocuments } from '../../unit/store/in-memory-profile-documents';
import type { ProfileStore } from '../../../src/store/profile-store';
import { closedPort } from './profile-closed-port';
import type { ProfileStoreHarness } from './profile-store-harness';

export interface CouchbaseTestConfig {
  readonly connectionString: string;
  readonly username: string;
  readonly password: string;
  readonly bucket: string;
}

/**
 * The test cluster from `COUCHBASE_CONNSTR` (+ `COUCHBASE_USERNAME`, `COUCHBASE_PASSWORD`,
 * `COUCHBASE_BUCKET`), or null with one loud warning when it is not set. No Couchbase server runs
 * on the development machine, so this skip is not a failure even under `CI=true` (DESIGN.md).
 */
export function couchbaseTestConfig(env: Readonly<Record<string, string | undefined>> = process.env): CouchbaseTestConfig | null {
  const connectionString = env.COUCHBASE_CONNSTR;
  if (connectionString === undefined || connectionString === '') {
    console.warn('\n!!! COUCHBASE_CONNSTR is not set: Couchbase profile store contract tests SKIPPED (set COUCHBASE_CONNSTR, COUCHBASE_USERNAME, COUCHBASE_PASSWORD, COUCHBASE_BUCKET)\n');
    return null;
  }
  return { connectionString, username: env.COUCHBASE_USERNAME ?? 'Administrator', password: env.COUCHBASE_PASSWORD ?? '', bucket: env.COUCHBASE_BUCKET ?? 'fraud' };
}

/** Removes the documents of `keys` (missing ones are fine). */
async function removeDocuments(config: CouchbaseTestConfig, keys: Iterable<string>): Promise<void> {
  const cluster = await connect(config.connectionString, { username: config.username, password: config.password });
  try {
    const collection = cluster.bucket(config.bucket).defaultCollection();
    await Promise.all(
      [...keys].map((key) =>
        collection.remove(key).catch((err: unknown) => {
          if (!(err instanceof DocumentNotFoundError)) throw err;
        }),
      ),
    );
  } finally {
    await cluster.close();
  }
}

/**
 * The contract harness of the Couchbase store: namespaces are random key prefixes in the test
 * bucket; documents also expire after an hour in case a run dies before cleaning up.
 */
export function couchbaseProfileHarness(config: CouchbaseTestConfig): ProfileStoreHarness {
  const timeoutMs = 2_000;
  return {
    networked: true,
    timeoutMs,
    async namespace() {
      const keyPrefix = `test:profiles:${randomBytes(6).toString('hex')}:`;
      const written = new Set<string>();
      return {
        keyPrefix,
        async open(): Promise<ProfileStore> {
          const store = await createCouchbaseProfileStore({ ...config, keyPrefix, ttlSeconds: 3_600, timeoutMs: 5_000 });
          // Remember every entity written, so dispose() can remove exactly those documents.
          return {
            kind: store.kind,
            get: (userId, merchantId) => store.get(userId, merchantId),
            step(ops) {
              for (const op of ops) written.add(couchbaseProfileKey(keyPrefix, op.role, op.id));
              return store.step(ops);
            },
            ping: () => store.ping(),
            close: () => store.close(),
          };
        },
        dispose: () => removeDocuments(config, written),
      };
    },
    async idle(ns) {
      const store = await createCouchbaseProfileStore({ ...config, keyPrefix: ns.keyPrefix, ttlSeconds: 1, versionTtlSeconds: 3_600, timeoutMs: 5_000 });
      return { store, passHorizon: () => new Promise((resolve) => setTimeout(resolve, 1_100)), close: () => store.close() };
    },
    async createUnreachable() {
      const port = await closedPort();
      return createCouchbaseProfileStore({ ...config, connectionString: `couchbase://127.0.0.1:${port}`, connectTimeoutMs: timeoutMs, timeoutMs });
    },
  };
}

/**
 * The Couchbase adapter's own logic (steps, CAS races, claims, document layout) on an in-memory
 * bucket double with CAS, whose every operation yields so concurrent steps race as against a
 * server: the contract suite runs on it here, where no Couchbase server can.
 */
export function couchbaseOnDocumentsHarness(): ProfileStoreHarness {
  return {
    networked: false,
    timeoutMs: 0,
    async namespace() {
      const docs = new InMemoryProfileDocuments(() => new Promise((resolve) => setImmediate(resolve)));
      const open = () =>
        Promise.resolve(
          CouchbaseProfileStore.onDocuments({
            ops: docs,
            keyPrefix: '',
            step: { maxAttempts: 1_000, backoff: () => new Promise((resolve) => setImmediate(resolve)), claimWindowMs: 3_600_000, maxClaims: 1_000, now: Date.now },
            ping: () => Promise.resolve(),
            close: () => Promise.resolve(),
          }),
        );
      return { keyPrefix: '', open, dispose: () => Promise.resolve() };
    },
    // Its wall clock moves on at will: profiles expire an hour after their last change.
    async idle() {
      const docs = new InMemoryProfileDocuments(() => new Promise((resolve) => setImmediate(resolve)));
      let offset = 0;
      const store = CouchbaseProfileStore.onDocuments({
        ops: docs,
        keyPrefix: '',
        step: { maxAttempts: 1_000, backoff: () => new Promise((resolve) => setImmediate(resolve)), claimWindowMs: 3_600_000, maxClaims: 1_000, now: () => Date.now() + offset, profileTtlMs: 3_600_000 },
        ping: () => Promise.resolve(),
        close: () => Promise.resolve(),
      });
      return {
        store,
        passHorizon() {
          offset += 3_600_000;
          return Promise.resolve();
        },
        close: () => store.close(),
      };
    },
  };
}
