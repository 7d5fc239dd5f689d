import type Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../../src/records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../../../src/records/sqlite/sqlite-decision-log';
import { DECISION_EVENT_WRITER, DECISION_LOG_WRITER } from '../../support/built-scripts';
import { comparable, decisionRecord } from '../../contract/support/decision-records';
import { HELD_WRITES } from '../../contract/support/decision-log-contract';

let dir: string;
const opened: { log: SqliteDecisionLog; db: Database.Database }[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'writer-thread-'));
});

afterEach(async () => {
  for (const { log, db } of opened.splice(0).reverse()) {
    await log.close().catch(() => undefined);
    db.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

function open(writerThread: string | null, overrides: { onWriteError?: () => void } = {}): { log: SqliteDecisionLog; db: Database.Database } {
  const db = openSqlite(join(dir, 'fraud.db'));
  const log = new SqliteDecisionLog(db, { ...HELD_WRITES, spillPath: join(dir, 'spill.ndjson'), ...overrides }, { writerThread });
  opened.push({ log, db });
  return { log, db };
}

/** Rows this connection itself inserted, updated or deleted since it opened (SQLite's counter is per connection). */
const changesBy = (db: Database.Database) => db.prepare<[], number>('SELECT total_changes()').pluck().get();

const records = Array.from({ length: 20 }, (_, i) => decisionRecord(`w-${i}`, 1_535_796_000 + i));

describe('SqliteDecisionLog: who writes the batches is the caller\'s choice', () => {
  test('given the built writer script, batches are inserted by the writer thread on its own connection', async () => {
    const { log, db } = open(DECISION_LOG_WRITER);
    for (const r of records) log.append(r);
    await log.flush();
    expect(changesBy(db)).toBe(0);
    const listed = await log.list({ fromEpochSeconds: 0, toEpochSeconds: 2_000_000_000 });
    expect(listed.map(comparable)).toEqual(records.map(comparable));
  });

  test('with no script, batches are inserted on this thread, through the given connection', async () => {
    const { log, db } = open(null);
    for (const r of records) log.append(r);
    await log.flush();
    expect(changesBy(db)).toBe(records.length);
    expect((await log.list({ fromEpochSeconds: 0, toEpochSeconds: 2_000_000_000 })).map(comparable)).toEqual(records.map(comparable));
  });

  test('a script that is not there fails the writes: nothing falls back to this thread', async () => {
    let errors = 0;
    const { log, db } = open(join(dir, 'no-such-writer.js'), { onWriteError: () => (errors += 1) });
    log.append(records[0]!);
    await expect(log.flush()).rejects.toThrow();
    expect(errors).toBeGreaterThan(0);
    expect(changesBy(db)).toBe(0);
    expect(log.pending()).toBe(1);
  });

  test('an in-memory database cannot be given a writer thread', () => {
    const db = openSqlite(':memory:');
    try {
      expect(() => new SqliteDecisionLog(db, { ...HELD_WRITES, spillPath: join(dir, 'spill.ndjson') }, { writerThread: DECISION_LOG_WRITER })).toThrow(TypeError);
    } finally {
      db.close();
    }
  });
});

describe('the built service runs its worker threads from the build', () => {
  test('BUILT_THREADS of dist/src/main.js name the built writer scripts, which exist', () => {
    const main = join(__dirname, '../../../dist/src/main.js');
    const out = execFileSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(main)}).BUILT_THREADS))`], { encoding: 'utf8' });
    const threads = JSON.parse(out) as Record<string, unknown>;
    expect(threads).toEqual({ decisionLogWriter: DECISION_LOG_WRITER, decisionEventWriter: DECISION_EVENT_WRITER });
    expect(existsSync(DECISION_LOG_WRITER) && existsSync(DECISION_EVENT_WRITER)).toBe(true);
  });
});
