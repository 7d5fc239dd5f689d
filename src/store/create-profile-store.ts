import type { Config } from '../config/config';
import { MemoryProfileStore } from './memory-profile-store';
import type { ProfileStore } from './profile-store';

/**
 * Builds the profile store from config: the in-process memory store by default (seeded from
 * `PROFILE_SNAPSHOT` when set), Redis or Couchbase when chosen. Ready when resolved.
 */
export async function createProfileStore(config: Config): Promise<ProfileStore> {
  switch (config.PROFILE_STORE) {
    case 'memory':
      return MemoryProfileStore.create(config.PROFILE_SNAPSHOT);
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
      });
    }
  }
}
