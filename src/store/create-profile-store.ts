import type { Registry } from 'prom-client';
import type { Config } from '../config/config';
import { registerMemoryStoreMetrics } from '../telemetry/profile-store-metrics';
import { MemoryProfileStore } from './memory-profile-store';
import { admittedLagSeconds, entityExpiry } from './profile-expiry';
import type { ProfileStore } from './profile-store';

/** What the store's owner adds to the config. */
export interface ProfileStoreDeps {
  /** Where the store registers its metrics (the memory store's evictions and sizes); none without. */
  readonly registry?: Registry;
}

/**
 * Builds the profile store from config: the in-process memory store by default (seeded from
 * `PROFILE_SNAPSHOT` when set, bounded by `MAX_PROFILES`), Redis or Couchbase when chosen (their
 * profiles expiring once no admitted event can see them, their versions after
 * `PROFILE_VERSION_RETENTION_DAYS`). Ready when resolved.
 */
export async function createProfileStore(config: Config, deps: ProfileStoreDeps = {}): Promise<ProfileStore> {
  const lag = admittedLagSeconds(config.EVENT_MAX_AGE_S, config.EVENT_MAX_SKEW_S);
  const { ttlSeconds, versionTtlSeconds } = entityExpiry(lag, config.PROFILE_VERSION_RETENTION_DAYS * 86_400);
  switch (config.PROFILE_STORE) {
    case 'memory': {
      const store = await MemoryProfileStore.create(config.PROFILE_SNAPSHOT, { maxProfiles: config.MAX_PROFILES, idleGraceSeconds: lag, maxTombstones: config.MAX_PROFILE_TOMBSTONES });
      if (deps.registry !== undefined) registerMemoryStoreMetrics(deps.registry, store);
      return store;
    }
    case 'redis': {
      const { createRedisProfileStore } = await import('./redis-profile-store');
      return createRedisProfileStore({
        url: config.REDIS_URL,
        cluster: config.REDIS_CLUSTER === 'on',
        keyPrefix: config.REDIS_KEY_PREFIX,
        // The service bounds each request's wait itself (STORE_TIMEOUT_MS); the client's own timeout
        // only frees commands that never get an answer, and reconciliation's batches need longer.
        commandTimeoutMs: Math.max(2_000, 10 * config.STORE_TIMEOUT_MS),
        claimWindowMs: config.IDEMPOTENCY_WINDOW_S * 1000,
        ttlSeconds,
        versionTtlSeconds,
      });
    }
    case 'couchbase': {
      const { createCouchbaseProfileStore } = await import('./couchbase-profile-store');
      return createCouchbaseProfileStore({
        connectionString: config.COUCHBASE_CONNSTR as string,
        username: config.COUCHBASE_USERNAME,
        password: config.COUCHBASE_PASSWORD,
        bucket: config.COUCHBASE_BUCKET,
        timeoutMs: Math.max(2_000, 10 * config.STORE_TIMEOUT_MS),
        claimWindowMs: config.IDEMPOTENCY_WINDOW_S * 1000,
        ttlSeconds,
        versionTtlSeconds,
      });
    }
  }
}
