import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { formatRfc3339 } from '../../features';
import { quoteSchema } from '../../src/records/postgres/postgres-schema';
import { dropTestSchema, postgresAvailable, postgresTestUrl, testSchemaName } from '../contract/support/postgres-test-database';
import { waitFor } from '../contract/support/wait-for';
import { redisBinariesAvailable, startRedisCluster, startRedisServer, type RedisServer } from '../support/redis-servers';
import { replicaWorld, runLoad, type LoadReport, type LoadRow } from '../support/replica-load';
import { copyRegistry } from '../support/service';
import { FRAUDCTL, spawnService, type SpawnedService } from '../support/spawn-service';

/**
 * The production topology, end to end: three service processes sharing a Redis (standalone, or a
 * local three-master Cluster) and a PostgreSQL, fed 50,000+ simulated transactions by 32 workers
 * round-robin over the replicas, with a hot user and merchant, 5 % of transactions sent to two
 * replicas at the same moment, and labels sent to another replica than their transaction's.
 */
const DAY = 86_400;
// REPLICA_CUSTOMERS and REPLICA_MIN_ROWS shrink the world for a quick local run; CI runs the full one.
const WORLD = { seed: 5, customers: Number(process.env.REPLICA_CUSTOMERS ?? 380), terminals: 2_000, days: 70 } as const;
const APP = { answerSeconds: [60, 15 * 60], chargebackSeconds: [2 * DAY, 6 * DAY] } as const;
const pgUrl = postgresTestUrl();
const canRun = postgresAvailable(pgUrl) && redisBinariesAvailable();
if (!canRun && process.env.CI === 'true') throw new Error('the replica tests need PostgreSQL and redis-server; under CI=true a skip is a failure');

interface Topology {
  readonly env: Record<string, string>;
  readonly replicas: SpawnedService[];
  readonly urls: string[];
  stop(): Promise<void>;
}

/** Three replicas on one profile store and one PostgreSQL schema. */
async function startTopology(redis: { url: string; cluster: boolean }): Promise<Topology> {
  const schema = testSchemaName();
  const env = {
    PROFILE_STORE: 'redis',
    REDIS_URL: redis.url,
    REDIS_CLUSTER: redis.cluster ? 'on' : 'off',
    REDIS_KEY_PREFIX: `${schema}:`,
    DECISION_LOG: 'postgres',
    DATABASE_URL: pgUrl,
    DATABASE_SCHEMA: schema,
    MODEL_REGISTRY_DIR: copyRegistry(),
    DECISION_EVENTS: 'off',
    // Two cores shared by three services, Redis, PostgreSQL and the load: deadlines a loaded CI run
    // meets outside the stall (what is tested here is correctness; docs/performance.md has the latency).
    STORE_TIMEOUT_MS: '100',
    SCORE_BUDGET_MS: '1000',
    // An answer whose commit misses this deadline answers its own record from the spill file,
    // without learning that another replica's attempt at the same transaction committed first
    // (docs/replicas.md): with the default 40 ms a loaded run took that path often enough to
    // answer a duplicate differently, and with 200 ms the burst of commits after the Redis stall
    // still did now and then (24 of 50,000 answers in one run). Identical answers when commits
    // land is what is tested here; the spill path's count is printed.
    DECISION_LOG_COMMIT_TIMEOUT_MS: '800',
  };
  const replicas: SpawnedService[] = [];
  try {
    for (let i = 0; i < 3; i++) replicas.push(await spawnService({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), `replica-${i}-`)) }));
  } catch (err) {
    for (const r of replicas) r.child.kill('SIGKILL');
    throw err;
  }
  return {
    env,
    replicas,
    urls: replicas.map((r) => r.url),
    async stop() {
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => r.exited));
      await dropTestSchema(pgUrl, schema);
    },
  };
}

/** `fraudctl` with the replicas' environment; resolves with exit code, stdout and stderr. */
function fraudctl(env: Record<string, string>, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FRAUDCTL, ...args], { env: { ...process.env, DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-')), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** A metric's value summed over its series on one replica. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Waits until every replica has written its decisions and reconciled every change. */
async function settled(t: Topology): Promise<void> {
  await waitFor(
    'every replica to write its decisions and reconcile every change',
    async () => {
        const states = await Promise.all(t.urls.map(async (url) => [await metric(url, 'fraud_decision_log_pending'), await metric(url, 'fraud_profile_reconcile_pending')]));
      return states.every(([written, reconciled]) => written === 0 && reconciled === 0);
    },
    60_000,
  );
}

/** The store's profiles and a single-process replay of the log and labels, as sorted snapshot lines. */
async function storeAndReplay(t: Topology): Promise<{ store: string[]; replay: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
  const dump = await fraudctl(t.env, ['profiles', 'dump', '--json', '--out', join(dir, 'store.ndjson')]);
  const replay = await fraudctl(t.env, ['profiles', 'replay', '--json', '--out', join(dir, 'replay.ndjson')]);
  expect([dump.code, dump.err, replay.code, replay.err]).toEqual([0, '', 0, '']);
  const lines = (file: string) => readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l !== '').sort();
  return { store: lines('store.ndjson'), replay: lines('replay.ndjson') };
}

interface RetrainJson {
  readonly promoted?: boolean;
  readonly refused?: string;
  readonly reason: string;
  readonly parity: { checked: number; mismatches: number; degraded: { total: number; byReason: Record<string, number> }; gaps: { count: number } };
  readonly rows?: { train: number };
}

async function retrain(t: Topology, end: number): Promise<{ code: number; result: RetrainJson; err: string }> {
  const r = await fraudctl(t.env, ['retrain', '--json', '--as-of', formatRfc3339(end), '--maturity-days', '7', '--holdout-days', '7', '--validation-days', '7', '--lookback-days', '30']);
  return { code: r.code, result: JSON.parse(r.out) as RetrainJson, err: r.err };
}

/** How many records each replica decided, by the name it records in them (`servedBy`). */
async function servedBy(t: Topology): Promise<Record<string, number>> {
  const pool = new Pool({ connectionString: pgUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ served_by: string; n: number }>(`SELECT served_by, count(*)::int AS n FROM ${quoteSchema(t.env.DATABASE_SCHEMA as string)}.decisions GROUP BY served_by`);
    return Object.fromEntries(rows.map((r) => [r.served_by, r.n]));
  } finally {
    await pool.end();
  }
}

/** What every run must show: no failed request, every label accepted across replicas, identical duplicates. */
/** Answers that took the spill path on any replica (their commit missed the deadline). */
async function commitTimeouts(t: Topology): Promise<number> {
  const counts = await Promise.all(t.urls.map((u) => metric(u, 'fraud_decision_log_commit_timeouts_total')));
  return counts.reduce((a, b) => a + b, 0);
}

function expectCleanLoad(report: LoadReport, rows: readonly LoadRow[]): void {
  expect(rows.length).toBeGreaterThanOrEqual(Number(process.env.REPLICA_MIN_ROWS ?? 50_000));
  expect(report.scoreFailures).toEqual({});
  expect(report.labelFailures).toEqual([]);
  expect(report.labels).toBeGreaterThan(1_000);
  expect(report.labelCrossings).toBe(report.labels);
  expect(report.duplicates.length).toBeGreaterThanOrEqual(0.05 * rows.length - 1);
  expect(report.duplicates.filter((d) => d.a !== d.b)).toEqual([]);
}

const describeIf = canRun ? describe : describe.skip;

describeIf('three replicas on standalone Redis and PostgreSQL, through a Redis stall and a Redis restart without data', () => {
  let redis: RedisServer;
  let t: Topology;
  beforeAll(async () => {
    redis = await startRedisServer();
    t = await startTopology({ url: redis.url, cluster: false });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
  }, 60_000);

  it('answers every request (degraded during the stall), then holds parity, idempotency and the replay, and rebuilds exactly', async () => {
    const { rows, end } = replicaWorld(WORLD);
    const started = Date.now();
    const report = await runLoad({
      urls: t.urls,
      rows,
      end,
      concurrency: 32,
      duplicate: (i) => i % 20 === 7,
      app: APP,
      seed: 11,
      at: {
        index: Math.floor(rows.length / 2),
        run: () => {
          redis.pause();
          setTimeout(() => redis.resume(), 3_000);
        },
      },
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(`replicas: ${await commitTimeouts(t)} answers took the spill path (commit past the deadline) during the load`);
    expectCleanLoad(report, rows);
    // The stall degraded answers (profiles unread), and nothing else did.
    expect(report.degraded).toBeGreaterThan(0);
    expect(Object.keys(report.degradedReasons).sort()).toEqual(['profile_store_timeout']);

    await settled(t);
    const reconciled = (await Promise.all(t.urls.map((u) => metric(u, 'fraud_profile_reconciled_total')))).reduce((a, b) => a + b, 0);
    expect(reconciled).toBeGreaterThan(0);
    const { store, replay } = await storeAndReplay(t);
    expect(store.length).toBeGreaterThan(500);
    expect(store).toEqual(replay);

    const first = await retrain(t, end);
    expect({ code: first.code, err: first.err }).toEqual({ code: 0, err: '' });
    expect(first.result.parity).toMatchObject({ mismatches: 0, gaps: { count: 0 } });
    expect(first.result.parity.checked).toBeGreaterThan(0.5 * rows.length);
    // Degraded vectors are left out and counted (each at most once, though a duplicate answers it twice).
    expect(first.result.parity.degraded.total).toBeGreaterThan(0);
    expect(first.result.parity.degraded.total).toBeLessThanOrEqual(report.degraded);
    expect(Object.keys(first.result.parity.degraded.byReason)).toEqual(['profile_store_timeout']);

    // Redis restarts empty: every slot lost. The rebuild restores the replay's state, and steps go on.
    await redis.restartEmpty();
    const rebuilt = await fraudctl(t.env, ['profiles', 'rebuild', '--json']);
    expect({ code: rebuilt.code, err: rebuilt.err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(rebuilt.out)).toMatchObject({ slotsRestored: 16_384, assigned: 0, gaps: { count: 0 } });
    const after = await storeAndReplay(t);
    expect(after.store).toEqual(replay);
    const second = await retrain(t, end);
    expect({ code: second.code, err: second.err }).toEqual({ code: 0, err: '' });
    expect(second.result.parity).toMatchObject({ mismatches: 0, gaps: { count: 0 } });
    // The first run left out the newest records (they might still have been committing); this one has them too.
    expect(second.result.parity.checked).toBeGreaterThanOrEqual(first.result.parity.checked);
    console.log(
      `replicas (standalone Redis): ${rows.length} transactions, ${report.scores} score and ${report.labels} label requests in ${seconds.toFixed(1)} s ` +
        `(${Math.round((report.scores + report.labels) / seconds)} req/s), ${report.duplicates.length} duplicates, ${report.degraded} degraded during a 3 s stall, ` +
        `${reconciled} changes reconciled; ${store.length} profiles equal the replay; retrain: parity ${first.result.parity.checked} checked, ` +
        `${first.result.parity.degraded.total} degraded excluded, ${first.result.reason}; after a restart without data the rebuild equals the replay`,
    );
  }, 900_000);
});

describeIf('three replicas on a local Redis Cluster (three masters) and PostgreSQL', () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let t: Topology;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    t = await startTopology({ url: cluster.url, cluster: true });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await cluster?.stop();
  }, 60_000);

  it('holds parity, idempotency and the replay across cluster nodes', async () => {
    const { rows, end } = replicaWorld(WORLD);
    const started = Date.now();
    const report = await runLoad({ urls: t.urls, rows, end, concurrency: 32, duplicate: (i) => i % 20 === 11, app: APP, seed: 12 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`replicas: ${await commitTimeouts(t)} answers took the spill path (commit past the deadline) during the load`);
    expectCleanLoad(report, rows);
    // No fault here: a rare store deadline missed on the overloaded box at most.
    expect(report.degraded).toBeLessThan(0.002 * rows.length);
    await settled(t);
    const { store, replay } = await storeAndReplay(t);
    expect(store.length).toBeGreaterThan(500);
    expect(store).toEqual(replay);
    // Each record names the replica that decided it: all three, and no other.
    const served = await servedBy(t);
    expect(Object.keys(served).sort()).toEqual(t.replicas.map((r) => `${hostname()}/${r.child.pid as number}`).sort());
    expect(Object.values(served).every((n) => n > 0.2 * rows.length)).toBe(true);
    const r = await retrain(t, end);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.result.parity).toMatchObject({ mismatches: 0, gaps: { count: 0 } });
    expect(r.result.parity.checked).toBeGreaterThan(0.5 * rows.length);
    console.log(
      `replicas (Redis Cluster): ${rows.length} transactions, ${report.scores} score and ${report.labels} label requests in ${seconds.toFixed(1)} s, ` +
        `${report.duplicates.length} duplicates, ${report.degraded} degraded; ${store.length} profiles equal the replay; retrain: parity ${r.result.parity.checked} checked, ${r.result.reason}`,
    );
  }, 900_000);
});
