import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Transaction } from '../../features';
import { pacedLoad, postJson, type Answer } from '../support/fault-load';
import { postgresBinDir, startPostgresServer, type PostgresServer } from '../support/postgres-server';
import { seededRandom } from '../support/seeded-random';
import { spawnService, type SpawnedService } from '../support/spawn-service';

const ROUNDS = 5;

interface Stored {
  readonly decisions: Set<string>;
  readonly labels: string[];
}

interface Backend {
  readonly name: string;
  env(dir: string): Record<string, string>;
  read(dir: string): Promise<Stored>;
  dispose(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  return {
    name: 'sqlite',
    env: () => ({}),
    read(dir) {
      const db = new Database(join(dir, 'fraud.db'), { readonly: true });
      try {
        return Promise.resolve({
          decisions: new Set(db.prepare<[], string>('SELECT transaction_id FROM decisions').pluck().all()),
          labels: db.prepare<[], string>('SELECT transaction_id FROM labels').pluck().all(),
        });
      } finally {
        db.close();
      }
    },
    dispose: () => Promise.resolve(),
  };
}

async function postgresBackend(): Promise<Backend> {
  const pg: PostgresServer = await startPostgresServer();
  return {
    name: 'postgres',
    env: () => ({ DECISION_LOG: 'postgres', DATABASE_URL: pg.url }),
    async read() {
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      try {
        return {
          decisions: new Set((await client.query<{ transaction_id: string }>('SELECT transaction_id FROM decisions')).rows.map((r) => r.transaction_id)),
          labels: (await client.query<{ transaction_id: string }>('SELECT transaction_id FROM labels')).rows.map((r) => r.transaction_id),
        };
      } finally {
        await client.end();
      }
    },
    dispose: () => pg.dispose(),
  };
}

const backends: [string, () => Promise<Backend>][] = [['sqlite', sqliteBackend]];
if (postgresBinDir() !== null) backends.push(['postgres', postgresBackend]);

/**
 * SIGKILL of the service under 300 transactions a second with labels interleaved, five times in a
 * row on one DATA_DIR (and database): with durable acknowledgements (the default) every decision
 * and label answered 2xx is there after the restarts, no label points at a missing decision, and
 * an acknowledged transaction sent again after a kill gets its first answer back.
 */
describe.each(backends)('SIGKILL of the service under load: %s', (_name, open) => {
  let backend: Backend;
  let dir: string;
  let service: SpawnedService | null = null;

  beforeAll(async () => {
    backend = await open();
    dir = mkdtempSync(join(tmpdir(), 'kill-'));
  }, 60_000);

  afterAll(async () => {
    if (service !== null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await backend.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${ROUNDS} kills: 0 acknowledged decisions or labels lost, 0 orphaned labels, retries answered as before`, async () => {
    const random = seededRandom(7);
    const sent = new Map<string, Transaction>();
    const scores = new Map<string, Answer>();
    const labels = new Map<string, Answer>();
    const retried: string[] = [];
    const restartMs: number[] = [];
    const agent = new Agent({ keepAlive: true });
    for (let round = 0; round < ROUNDS; round++) {
      // Batches wait up to 20 ms: a kill always finds records not yet committed.
      const spawnedAt = performance.now();
      const current = await spawnService({ ...backend.env(dir), DATA_DIR: dir, DATA_DIR_LOCK_WAIT_MS: '0', DECISION_LOG_FLUSH_MS: '20' });
      service = current;
      restartMs.push(Math.round(performance.now() - spawnedAt));
      // Transactions acknowledged before earlier kills, sent again: the same answer, not a new scoring.
      const earlier = [...scores].filter(([, a]) => a.status === 200);
      for (let k = 0; k < Math.min(10, earlier.length); k++) {
        const [id, first] = earlier[Math.floor(random() * earlier.length)] as [string, Answer];
        const again = await postJson(agent, current.url, '/v1/score', sent.get(id));
        retried.push(id);
        expect([id, again.status, again.body]).toEqual([id, 200, first.body]);
      }
      const killAt = 1_200 + Math.floor(random() * 800);
      const run = await pacedLoad({
        url: () => current.url,
        rate: 300,
        durationMs: 2_500,
        prefix: `k${round}`,
        labelEvery: 4,
        at: [{ ms: killAt, run: () => current.child.kill('SIGKILL') }],
      });
      await current.exited;
      service = null;
      for (const [id, a] of run.scores) scores.set(id, a);
      for (const [id, t] of run.sent) sent.set(id, t);
      for (const [id, a] of run.labels) labels.set(id, a);
    }
    // One more start replays whatever the last kill left in the spill file; a clean stop flushes.
    const last = await spawnService({ ...backend.env(dir), DATA_DIR: dir, DATA_DIR_LOCK_WAIT_MS: '0' });
    last.child.kill('SIGTERM');
    await last.exited;
    agent.destroy();

    const stored = await backend.read(dir);
    const acknowledged = [...scores].filter(([, a]) => a.status === 200).map(([id]) => id);
    const ackedLabels = [...labels].filter(([, a]) => a.status === 201 || a.status === 200).map(([id]) => id);
    const summary = { backend: backend.name, sent: scores.size, acknowledged: acknowledged.length, unanswered: scores.size - acknowledged.length, labels: ackedLabels.length, retried: retried.length, restartMs };
    console.log(JSON.stringify(summary));
    expect(acknowledged.length).toBeGreaterThan(ROUNDS * 300);
    expect(ackedLabels.length).toBeGreaterThan(ROUNDS * 50);
    expect(acknowledged.filter((id) => !stored.decisions.has(id))).toEqual([]);
    const labelRows = new Set(stored.labels);
    expect(ackedLabels.filter((id) => !labelRows.has(id))).toEqual([]);
    expect(stored.labels.filter((id) => !stored.decisions.has(id))).toEqual([]);
  }, 240_000);
});
