import { MemoryProfileStore } from '../../src/store/memory-profile-store';
import { redisBinariesAvailable } from '../support/redis-servers';
import { couchbaseOnDocumentsHarness, couchbaseProfileHarness, couchbaseTestConfig } from './support/profile-couchbase-harness';
import { redisAvailable, redisClusterHarness, redisProfileHarness } from './support/profile-redis-harness';
import { describeProfileStoreContract } from './support/profile-store-contract';

// The reference adapter checks itself against a second instance of itself: the suite's own sanity.
describeProfileStoreContract('memory', {
  networked: false,
  timeoutMs: 0,
  supportsAdmin: true,
  async namespace() {
    const store = await MemoryProfileStore.create();
    return { keyPrefix: '', open: () => Promise.resolve(store), dispose: () => Promise.resolve() };
  },
  // Idle eviction exact for events up to 0 s behind the latest one merged (the service allows its EVENT_MAX_AGE_S).
  async idle() {
    const store = await MemoryProfileStore.create(undefined, { idleGraceSeconds: 0 });
    return { store, passHorizon: () => Promise.resolve(), close: () => store.close() };
  },
});

if (redisAvailable()) describeProfileStoreContract('redis', redisProfileHarness());
else describe.skip('profile store contract: redis (server unreachable)', () => it('needs Redis', () => undefined));

if (redisBinariesAvailable()) describeProfileStoreContract('redis cluster (local, 3 masters)', redisClusterHarness());
else {
  const message = 'redis-server / redis-cli not found: Redis Cluster profile store contract tests SKIPPED';
  if (process.env.CI === 'true') throw new Error(`${message}; under CI=true this is a failure`);
  console.warn(`\n!!! ${message}\n`);
  describe.skip('profile store contract: redis cluster (binaries missing)', () => it('needs redis-server', () => undefined));
}

// The Couchbase adapter's logic on an in-memory bucket with CAS; against a server when one is configured.
describeProfileStoreContract('couchbase (in-memory documents)', couchbaseOnDocumentsHarness());
const couchbase = couchbaseTestConfig();
if (couchbase !== null) describeProfileStoreContract('couchbase', couchbaseProfileHarness(couchbase));
else describe.skip('profile store contract: couchbase (COUCHBASE_CONNSTR not set)', () => it('needs Couchbase', () => undefined));
