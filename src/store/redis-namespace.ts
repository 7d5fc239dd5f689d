import Redis from 'ioredis';

/** Deletes every key under `keyPrefix` on the node `client` talks to (SCAN, then UNLINK pipelined). */
async function deleteNodeKeys(client: Redis, keyPrefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1_000);
    // One key per command: in a cluster the keys of one node still span many hash slots.
    if (keys.length > 0) await keys.reduce((p, key) => p.unlink(key), client.pipeline()).exec();
    cursor = next;
  } while (cursor !== '0');
}

/**
 * Deletes a whole key namespace: every key under `keyPrefix` on every node `url` lists
 * (comma-separated, as `REDIS_URL` does for a cluster: give every primary). For tearing down a
 * bench's or a test's namespace, never a live deployment's; not atomic: keys written meanwhile may survive.
 * Rejects with the client's error when a node is down, or a RangeError for an empty prefix.
 */
export async function deleteRedisNamespace(url: string, keyPrefix: string): Promise<void> {
  if (keyPrefix === '') throw new RangeError('refusing to delete every key: keyPrefix is empty');
  for (const node of url.split(',')) {
    const client = new Redis(node.trim(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await deleteNodeKeys(client, keyPrefix);
    } finally {
      client.disconnect();
    }
  }
}
