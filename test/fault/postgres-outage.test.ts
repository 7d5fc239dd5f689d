import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { overBudgetBySecond, pacedLoad, percentile, type Answer } from '../support/fault-load';
import { postgresBinDir, startPostgresServer, type PostgresServer } from '../support/postgres-server';
import { spawnService, type SpawnedService } from '../support/spawn-service';

const BUDGET_MS = 50;

/**
 * The decision log's PostgreSQL paused (SIGSTOP), then stopped, then started again, under 300
 * transactions a second with labels: every score is answered in time from what the replica holds
 * (records persist to the synced spill file while the log cannot commit), feedback answers 503
 * with Retry-After while the label store is away, and after recovery every acknowledged decision
 * and label is in PostgreSQL.
 */
(postgresBinDir() === null ? describe.skip : describe)('PostgreSQL outage under load', () => {
  let pg: PostgresServer;
  let service: SpawnedService;
  let dir: string;

  beforeAll(async () => {
    pg = await startPostgresServer();
    dir = mkdtempSync(join(tmpdir(), 'pg-outage-'));
    service = await spawnService({
      DECISION_LOG: 'postgres',
      DATABASE_URL: pg.url,
      DATA_DIR: dir,
      SCORE_BUDGET_MS: String(BUDGET_MS),
      STORAGE_REQUEST_TIMEOUT_MS: '300',
    });
  }, 60_000);

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await service?.exited;
    await pg?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('paused 3 s, stopped 3 s, restarted: 0 score errors, no answer held by the log, feedback and audit reads 503 meanwhile, nothing acknowledged lost', async () => {
    const readiness: Record<string, unknown>[] = [];
    const reads: { status: number; retryAfter: string | null; code: string | undefined }[] = [];
    // Recovery: from the database's return until every record buffered or spilled meanwhile is in it.
    const recovery: Record<string, number> = {};
    const drained = async (name: string) => {
      const from = performance.now();
      for (;;) {
        const r = (await (await fetch(`${service.url}/readyz`)).json()) as { decisionLogPending: number };
        if (r.decisionLogPending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      recovery[name] = Math.round(performance.now() - from);
    };
    const ready = async () => readiness.push((await (await fetch(`${service.url}/readyz`)).json()) as Record<string, unknown>);
    const run = await pacedLoad({
      url: () => service.url,
      rate: 300,
      durationMs: 14_000,
      prefix: 'pgo',
      labelEvery: 10,
      at: [
        { ms: 2_000, run: () => pg.pause() },
        { ms: 3_500, run: ready },
        {
          ms: 5_000,
          run: () => {
            pg.resume();
            return drained('afterPauseMs');
          },
        },
        { ms: 7_000, run: () => pg.stop() },
        { ms: 9_000, run: ready },
        {
          ms: 9_200,
          run: async () => {
            const res = await fetch(`${service.url}/v1/decisions/pgo-1`);
            reads.push({ status: res.status, retryAfter: res.headers.get('retry-after'), code: ((await res.json()) as { error?: { code: string } }).error?.code });
          },
        },
        { ms: 10_000, run: () => pg.start().then(() => drained('afterRestartMs')) },
      ],
    });
    const scores = [...run.scores.values()];
    const byStatus = (answers: readonly Answer[]) => answers.reduce<Record<number, number>>((m, a) => ({ ...m, [a.status]: (m[a.status] ?? 0) + 1 }), {});
    const overBudget = scores.filter((a) => a.latencyMs > BUDGET_MS).length;
    const labels = [...run.labels.values()];
    const summary = { scores: scores.length, statuses: byStatus(scores), p50: percentile(scores, 0.5), p99: percentile(scores, 0.99), max: percentile(scores, 1), overBudget, overBudgetBySecond: overBudgetBySecond(scores, BUDGET_MS), labels: byStatus(labels), recovery, readiness };
    console.log(JSON.stringify(summary));

    expect(scores.length).toBeGreaterThan(3_900);
    expect(byStatus(scores)).toEqual({ 200: scores.length });
    // The log never holds an answer: the paused database alone would hold each for seconds. (How
    // many answers exceed the budget depends on what else runs on the machine: reported, not
    // asserted; docs/reliability.md gives the figures of a run alone.)
    expect(percentile(scores, 1)).toBeLessThan(1_000);
    expect(Object.keys(byStatus(labels)).sort()).toEqual(['201', '503']);
    for (const a of labels) if (a.status === 503) expect([a.retryAfter, JSON.parse(a.body).error.code]).toEqual(['1', 'storage_unavailable']);
    // An audit read while the database is stopped: a coded 503 to retry, never a 500.
    expect(reads).toEqual([{ status: 503, retryAfter: '1', code: 'storage_unavailable' }]);
    expect(readiness.map((r) => r.decisionLogWrites)).toEqual(['failing: answers persist records to the spill file', 'failing: answers persist records to the spill file']);

    // Recovery: the spilled records reach the database.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = (await (await fetch(`${service.url}/readyz`)).json()) as { decisionLogPending: number };
      if (r.decisionLogPending === 0) break;
      if (Date.now() > deadline) throw new Error(`decision log still has ${r.decisionLogPending} pending`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      const stored = new Set((await client.query<{ transaction_id: string }>('SELECT transaction_id FROM decisions')).rows.map((r) => r.transaction_id));
      const acknowledged = [...run.scores].filter(([, a]) => a.status === 200).map(([id]) => id);
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      const labelRows = (await client.query<{ transaction_id: string }>('SELECT transaction_id FROM labels')).rows.map((r) => r.transaction_id);
      const ackedLabels = [...run.labels].filter(([, a]) => a.status === 201 || a.status === 200).map(([id]) => id);
      expect(ackedLabels.filter((id) => !labelRows.includes(id))).toEqual([]);
      expect(labelRows.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await client.end();
    }
  }, 120_000);
});
