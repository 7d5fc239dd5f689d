import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { deleteRedisNamespace } from '../../../src/store/redis-namespace';
import { createRedisProfileStore, type RedisProfileStore } from '../../../src/store/redis-profile-store';
import { startRedisCluster, type RedisCluster } from '../../support/redis-servers';
import { closedPort } from './profile-closed-port';
import type { IdleStore, ProfileStoreHarness } from './profile-store-harness';
import { startTcpProxy } from './tcp-proxy';

/** The test Redis server: `TEST_REDIS_URL`, else the local one. */
export function redisTestUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

// Probes in a child process, because jest registers suites synchronously and a skip must be decided then.
const PROBE = `
const Redis = require('ioredis');
const c = new Redis(process.argv[1], { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
c.on('error', () => {});
c.connect().then(() => c.ping()).then(() => c.quit()).then(
  () => process.exit(0),
  (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });
`;

/**
 * Whether the test Redis answers. When it does not, prints one loud warning and returns false (the
 * caller skips its suites), except under `CI=true`, where it throws: a skipped Redis suite in CI is
 * a failure.
 */
export function redisAvailable(url: string = redisTestUrl()): boolean {
  const probe = spawnSync(process.execPath, ['-e', PROBE, url], { cwd: resolve(__dirname, '../../..'), encoding: 'utf8', timeout: 10_000 });
  if (probe.status === 0) return true;
  const why = (probe.stderr || probe.error?.message || `exit ${String(probe.status)}`).trim();
  const message = `Redis at ${url} is unreachable (${why}): Redis profile store contract tests SKIPPED (set TEST_REDIS_URL)`;
  if (process.env.CI === 'true') throw new Error(`${message}; under CI=true this is a failure`);
  console.warn(`\n!!! ${message}\n`);
  return false;
}

/** A store on a fresh namespace: the first one opened creates the slot sentinels (what a service does on a new deployment). */
function opener(url: string, keyPrefix: string, cluster: boolean): () => Promise<RedisProfileStore> {
  let initialised = false;
  return async () => {
    const store = await createRedisProfileStore({ url, cluster, keyPrefix, commandTimeoutMs: 5_000 });
    if (!initialised) {
      await store.restoreSentinels();
      initialised = true;
    }
    return store;
  };
}

/** A store on `ns` whose profiles expire one second after their last change (versions after an hour). */
async function idleStore(url: string, keyPrefix: string, cluster: boolean): Promise<IdleStore> {
  const store = await createRedisProfileStore({ url, cluster, keyPrefix, commandTimeoutMs: 5_000, ttlSeconds: 1, versionTtlSeconds: 3_600 });
  await store.restoreSentinels();
  return { store, passHorizon: () => new Promise((resolve) => setTimeout(resolve, 1_100)), close: () => store.close() };
}

/**
 * Commands the server executes for keys under `keyPrefix` while `action` runs, seen through MONITOR
 * (commands a script runs are not counted: a script call is one request).
 */
async function countCommands(url: string, keyPrefix: string, action: () => Promise<void>): Promise<number> {
  const client = new Redis(url);
  const monitor = await client.monitor();
  const marker = `end-of-count-${randomBytes(6).toString('hex')}`;
  let count = 0;
  let done = false;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args.includes(marker)) done = true;
    else if (!done && source !== 'lua' && args.some((a) => a.startsWith(keyPrefix))) count++;
  });
  try {
    await action();
    await client.echo(marker);
    for (const deadline = Date.now() + 5_000; !done; await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() > deadline) throw new Error('MONITOR never showed the end marker');
    }
    return count;
  } finally {
    monitor.disconnect();
    await client.quit();
  }
}

/** The contract harness of the Redis store: namespaces are random key prefixes on the test server. */
export function redisProfileHarness(url: string = redisTestUrl()): ProfileStoreHarness {
  const timeoutMs = 300;
  return {
    networked: true,
    timeoutMs,
    async namespace() {
      const keyPrefix = `test:profiles:${randomBytes(6).toString('hex')}:`;
      return { keyPrefix, open: opener(url, keyPrefix, false), dispose: () => deleteRedisNamespace(url, keyPrefix) };
    },
    loseData: (ns) => deleteRedisNamespace(url, ns.keyPrefix),
    supportsAdmin: true,
    async outage(ns) {
      const target = new URL(url);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      const store = await createRedisProfileStore({ url: proxied.toString(), keyPrefix: ns.keyPrefix, commandTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs });
      await store.restoreSentinels();
      return {
        store,
        cut: () => proxy.cut(),
        restore: () => proxy.restore(),
        async close() {
          await store.close();
          await proxy.close();
        },
      };
    },
    countRequests: (ns, action) => countCommands(url, ns.keyPrefix, action),
    idle: (ns) => idleStore(url, ns.keyPrefix, false),
    async createUnreachable() {
      return createRedisProfileStore({ url: `redis://127.0.0.1:${await closedPort()}`, keyPrefix: 'unreachable:', connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs });
    },
  };
}

/**
 * The contract harness of the Redis store on a local Redis Cluster (three masters on spare ports,
 * started before the suite and stopped after): every step must touch one node's slot only.
 */
export function redisClusterHarness(): ProfileStoreHarness {
  let cluster: RedisCluster | null = null;
  const url = () => {
    if (cluster === null) throw new Error('the local Redis Cluster is not started');
    return cluster.url;
  };
  return {
    networked: true,
    timeoutMs: 300,
    async setup() {
      cluster = await startRedisCluster();
    },
    async teardown() {
      await cluster?.stop();
    },
    async namespace() {
      const keyPrefix = `test:profiles:${randomBytes(6).toString('hex')}:`;
      return { keyPrefix, open: opener(url(), keyPrefix, true), dispose: () => deleteRedisNamespace(url(), keyPrefix) };
    },
    loseData: (ns) => deleteRedisNamespace(url(), ns.keyPrefix),
    idle: (ns) => idleStore(url(), ns.keyPrefix, true),
    supportsAdmin: true,
  };
}

/** The cluster's nodes as ioredis sees them (a check that the store's client is a cluster client). */
export function isClusterClient(client: unknown): boolean {
  return client instanceof Cluster;
}
