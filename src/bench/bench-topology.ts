import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { quoteSchema } from '../records/postgres/postgres-schema';
import { loadSnapshotInto } from '../store/profile-snapshot';
import { deleteRedisNamespace } from '../store/redis-namespace';
import { createRedisProfileStore } from '../store/redis-profile-store';

/** Where the benchmark's servers keep profiles and decisions. */
export type BenchTopologyKind = 'embedded' | 'redis+postgres';

/** The production topology's servers: local Redis and PostgreSQL. */
export interface ProductionStores {
  readonly redisUrl: string;
  readonly databaseUrl: string;
}

/** What the service and the baseline of one run are started with, and how to clean up after them. */
export interface PreparedTopology {
  readonly kind: BenchTopologyKind;
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** Environment of the baseline's process (empty for the bare baseline). */
  readonly baselineEnv: Readonly<Record<string, string>>;
  cleanup(): Promise<void>;
}

/** Loads a snapshot into Redis under `keyPrefix`, sentinels included (what `fraudctl profiles load` does). */
async function loadProfiles(redisUrl: string, keyPrefix: string, snapshotPath: string): Promise<number> {
  const store = await createRedisProfileStore({ url: redisUrl, keyPrefix, commandTimeoutMs: 10_000 });
  try {
    return await loadSnapshotInto(store, snapshotPath);
  } finally {
    await store.close();
  }
}

/**
 * Prepares a run's stores. Embedded: the memory store seeded from the snapshot, SQLite in `work`.
 * Production: the service and the baseline each get a key prefix of their own in Redis, loaded
 * with the snapshot's profiles (so both start from the same history), and a PostgreSQL schema of
 * their own; `cleanup` deletes the keys and drops the schemas. Rejects when Redis or PostgreSQL
 * cannot be reached.
 */
export async function prepareTopology(kind: BenchTopologyKind, o: { snapshotPath: string; work: string; production: ProductionStores | null; onStage: (s: string) => void }): Promise<PreparedTopology> {
  if (kind === 'embedded') {
    return {
      kind,
      serviceEnv: { PROFILE_STORE: 'memory', PROFILE_SNAPSHOT: o.snapshotPath, DECISION_LOG: 'sqlite', DATA_DIR: o.work },
      baselineEnv: {},
      cleanup: () => Promise.resolve(),
    };
  }
  const stores = o.production;
  if (stores === null) throw new Error('the production topology needs a Redis and a PostgreSQL URL');
  const id = randomBytes(4).toString('hex');
  const servers = (['service', 'baseline'] as const).map((who) => ({ who, keyPrefix: `bench:${id}:${who}:`, schema: `bench_${id}_${who}`, dataDir: join(o.work, who) }));
  const pool = new Pool({ connectionString: stores.databaseUrl, max: 1 });
  const cleanup = async () => {
    for (const s of servers) {
      await deleteRedisNamespace(stores.redisUrl, s.keyPrefix).catch(() => undefined);
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteSchema(s.schema)} CASCADE`).catch(() => undefined);
    }
    await pool.end();
  };
  try {
    await pool.query('SELECT 1');
    for (const s of servers) {
      o.onStage(`loading the history into Redis (${s.who}, prefix ${s.keyPrefix})`);
      await loadProfiles(stores.redisUrl, s.keyPrefix, o.snapshotPath);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  const env = (s: (typeof servers)[number]) => ({
    PROFILE_STORE: 'redis',
    REDIS_URL: stores.redisUrl,
    REDIS_KEY_PREFIX: s.keyPrefix,
    DECISION_LOG: 'postgres',
    DATABASE_URL: stores.databaseUrl,
    DATABASE_SCHEMA: s.schema,
    DATA_DIR: s.dataDir,
  });
  const [service, baseline] = servers as [(typeof servers)[number], (typeof servers)[number]];
  return { kind, serviceEnv: env(service), baselineEnv: { ...env(baseline), BENCH_BASELINE: 'topology' }, cleanup };
}
