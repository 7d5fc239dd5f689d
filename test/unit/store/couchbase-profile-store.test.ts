import { createCouchbaseProfileStore } from '../../../src/store/couchbase-profile-store';
import { closedPort } from '../../contract/support/profile-closed-port';

// No Couchbase server runs here; the contract suite covers a real one when COUCHBASE_CONNSTR is set.
// What needs no server is checked against the real SDK: failing fast and clearly at start-up.
describe('createCouchbaseProfileStore', () => {
  const base = { username: 'u', password: 'p', bucket: 'fraud' };

  it('rejects within the connect timeout, naming the bucket and address, when nothing listens', async () => {
    const connectionString = `couchbase://127.0.0.1:${await closedPort()}`;
    const started = Date.now();
    await expect(createCouchbaseProfileStore({ ...base, connectionString, connectTimeoutMs: 1_000, timeoutMs: 200 })).rejects.toThrow(
      `couchbase profile store: cannot use bucket fraud at ${connectionString}: `,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it.each([
    [{ ttlSeconds: -1 }, 'ttlSeconds must be an integer >= 0, got -1'],
    [{ timeoutMs: 0 }, 'timeoutMs must be an integer >= 1, got 0'],
    [{ maxWriteAttempts: 1.5 }, 'maxWriteAttempts must be an integer >= 1, got 1.5'],
  ])('rejects %j before connecting', async (option, message) => {
    await expect(createCouchbaseProfileStore({ ...base, connectionString: 'couchbase://127.0.0.1', ...option })).rejects.toThrow(new RangeError(message));
  });
});
