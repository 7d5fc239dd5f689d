import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createPostgresDecisionLog, type PostgresWriterOptions } from '../../src/records/postgres/postgres-decision-log';
import type { DecisionLog } from '../../src/records/decision-log';
import { appendAll, comparable, decisionRecord } from './support/decision-records';
import { describeDecisionLogContract } from './support/decision-log-contract';
import { postgresDecisionLogBackend, sqliteDecisionLogBackend } from './support/event-store-backends';
import { dropTestSchema, postgresAvailable, postgresTestUrl, testSchemaName } from './support/postgres-test-database';
import { startTcpProxy, throughProxy, urlTarget, type TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait-for';
import { DECISION_LOG_WRITER } from '../support/built-scripts';

const url = postgresTestUrl();
const pgUp = postgresAvailable(url);

describeDecisionLogContract('sqlite, written by the writer thread (as served)', sqliteDecisionLogBackend(DECISION_LOG_WRITER));
describeDecisionLogContract('sqlite, written on this thread', sqliteDecisionLogBackend(null));
describeDecisionLogContract('postgres', postgresDecisionLogBackend(url), { skip: !pgUp });

/**
 * A real outage of the PostgreSQL decision log: the adapter reaches the shared server through a
 * TCP proxy the test cuts and restores (stopping the shared server would break parallel suites).
 */
(pgUp ? describe : describe.skip)('PostgreSQL decision log: outage and recovery', () => {
  let proxy: TcpProxy;
  let schema: string;
  let dir: string;
  let spillPath: string;
  const opened: DecisionLog[] = [];

  beforeEach(async () => {
    proxy = await startTcpProxy(urlTarget(url));
    schema = testSchemaName();
    dir = mkdtempSync(join(tmpdir(), 'pg-outage-'));
    spillPath = join(dir, 'spill', 'decisions.ndjson'); // the factory creates the directory
  });

  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close().catch(() => undefined);
    await proxy.close();
    await dropTestSchema(url, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(connectionString: string, writer: Partial<PostgresWriterOptions> = {}): Promise<DecisionLog> {
    const log = await createPostgresDecisionLog({
      connectionString, schema, connectTimeoutMs: 1_000,
      writer: { batchSize: 2, flushMs: 5, maxBuffered: 3, retryMs: 10, spillPath, ...writer },
    });
    opened.push(log);
    return log;
  }

  const spillLines = () => [spillPath, `${spillPath}.replay`].flatMap((p) => (existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter((l) => l !== '') : []));

  test('appends during an outage buffer, spill past the bound, stay readable, and are all written in order on recovery', async () => {
    let spilled = 0;
    let errors = 0;
    const log = await open(throughProxy(url, proxy), { onSpill: (n) => (spilled += n), onWriteError: () => (errors += 1), maxSpilledReadable: 5 });
    const records = Array.from({ length: 9 }, (_, i) => decisionRecord(`o-${i}`, 1_000 + i));
    log.append(records[0]!);
    await log.flush();

    proxy.cut();
    appendAll(log, records.slice(1));
    await waitFor('a failed write', () => errors > 0);
    await expect(log.flush()).rejects.toThrow();
    await expect(log.list({ fromEpochSeconds: 0, toEpochSeconds: 2_000 })).rejects.toThrow();
    expect(log.pending()).toBe(8);
    expect(spilled).toBe(5);
    expect(spillLines()).toHaveLength(5);
    // Unwritten records (the `maxSpilledReadable` spilled ones included) answer from memory; written ones need the database.
    for (const r of records.slice(1)) expect(comparable((await log.get(r.transactionId))!)).toEqual(comparable(r));
    await expect(log.get(records[0]!.transactionId)).rejects.toThrow();

    proxy.restore();
    await waitFor('the background replay', () => log.pending() === 0);
    const reader = await open(url);
    const listed = await reader.list({ fromEpochSeconds: 0, toEpochSeconds: 2_000 });
    expect(listed.map(comparable)).toEqual(records.map(comparable));
    expect(spillLines()).toEqual([]);
  });

  test('close during an outage spills everything; the next instance replays the file at start', async () => {
    const log = await open(throughProxy(url, proxy), { maxBuffered: 100 });
    proxy.cut();
    const records = Array.from({ length: 4 }, (_, i) => decisionRecord(`c-${i}`, 1_000 + i));
    appendAll(log, records);
    await log.close();
    expect(spillLines()).toHaveLength(4);

    proxy.restore();
    const next = await open(url);
    await waitFor('the replay at start', () => next.pending() === 0);
    expect((await next.list({ fromEpochSeconds: 0, toEpochSeconds: 2_000 })).map(comparable)).toEqual(records.map(comparable));
    expect(spillLines()).toEqual([]);
  });

  test('the factory rejects when the database is unreachable at start', async () => {
    proxy.cut();
    await expect(createPostgresDecisionLog({ connectionString: throughProxy(url, proxy), schema, connectTimeoutMs: 1_000, writer: { batchSize: 2, flushMs: 5, maxBuffered: 3, spillPath } })).rejects.toThrow();
  });
});

(pgUp ? describe : describe.skip)('PostgreSQL decision log: connection handling', () => {
  const schemas: string[] = [];
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pg-log-'));
  });

  afterEach(async () => {
    for (const s of schemas.splice(0)) await dropTestSchema(url, s);
    rmSync(dir, { recursive: true, force: true });
  });

  const writer = () => ({ batchSize: 10, flushMs: 60_000, maxBuffered: 100, spillPath: join(dir, `spill-${Math.random()}.ndjson`) });

  test('an invalid schema name is refused before any SQL is sent', async () => {
    await expect(createPostgresDecisionLog({ connectionString: url, schema: 'x"; DROP TABLE y; --', writer: writer() })).rejects.toThrow(RangeError);
  });

  test('close ends only a pool the adapter created: an injected pool stays usable', async () => {
    const pool = new Pool({ connectionString: url, max: 2 });
    try {
      const schema = testSchemaName();
      schemas.push(schema);
      const log = await createPostgresDecisionLog({ pool, schema, writer: writer() });
      log.append(decisionRecord('p-1', 10));
      await log.close();
      const res = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".decisions`);
      expect(res.rows[0]?.n).toBe('1');
    } finally {
      await pool.end();
    }
  });

  test('a batch of 5,000 records (over 65,535 parameters as VALUES rows) is one statement, written whole and in order', async () => {
    const schema = testSchemaName();
    schemas.push(schema);
    const log = await createPostgresDecisionLog({ connectionString: url, schema, writer: { ...writer(), batchSize: 5_000, maxBuffered: 10_000 } });
    const records = Array.from({ length: 5_000 }, (_, i) => decisionRecord(`big-${i}`, 10 + (i % 7)));
    appendAll(log, records);
    await log.flush();
    const listed = await log.list({ fromEpochSeconds: 0, toEpochSeconds: 100 });
    await log.close();
    expect(listed.map((d) => d.transactionId)).toEqual(records.map((r) => r.transactionId));
  });

  test('instances creating the same schema at the same time all start', async () => {
    const schema = testSchemaName();
    schemas.push(schema);
    const logs = await Promise.all(Array.from({ length: 4 }, () => createPostgresDecisionLog({ connectionString: url, schema, writer: writer() })));
    for (const log of logs) await log.close();
    expect(logs.map((l) => l.kind)).toEqual(['postgres', 'postgres', 'postgres', 'postgres']);
  });
});
