import { MemoryProfileStore } from '../../src/store/memory-profile-store';
import { couchbaseProfileHarness, couchbaseTestConfig } from './support/profile-couchbase-harness';
import { redisAvailable, redisProfileHarness } from './support/profile-redis-harness';
import { describeProfileStoreContract } from './support/profile-store-contract';

// The reference adapter checks itself against a second instance of itself: the suite's own sanity.
describeProfileStoreContract('memory', {
  networked: false,
  timeoutMs: 0,
  async namespace() {
    const store = await MemoryProfileStore.create();
    return { keyPrefix: '', open: () => Promise.resolve(store), dispose: () => Promise.resolve() };
  },
});

if (redisAvailable()) describeProfileStoreContract('redis', redisProfileHarness());
else describe.skip('profile store contract: redis (server unreachable)', () => it('needs Redis', () => undefined));

const couchbase = couchbaseTestConfig();
if (couchbase !== null) describeProfileStoreContract('couchbase', couchbaseProfileHarness(couchbase));
else describe.skip('profile store contract: couchbase (COUCHBASE_CONNSTR not set)', () => it('needs Couchbase', () => undefined));
