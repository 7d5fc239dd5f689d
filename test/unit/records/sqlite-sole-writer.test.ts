import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decisionCodec } from '../../../src/records/decision-codec';
import { openSqlite } from '../../../src/records/sqlite/sqlite-database';
import { prepareDecisionInsert, SqliteDecisionLog } from '../../../src/records/sqlite/sqlite-decision-log';
import { comparable, decisionRecord } from '../../contract/support/decision-records';
import { HELD_WRITES } from '../../contract/support/decision-log-contract';

let dir: string;
const opened: { log: SqliteDecisionLog; db: Database.Database }[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sole-writer-'));
});

afterEach(async () => {
  for (const { log, db } of opened.splice(0).reverse()) {
    await log.close();
    db.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

function open(soleWriter: boolean): SqliteDecisionLog {
  const db = openSqlite(join(dir, 'fraud.db'));
  const log = new SqliteDecisionLog(db, { ...HELD_WRITES, spillPath: join(dir, 'spill.ndjson') }, { soleWriter });
  opened.push({ log, db });
  return log;
}

/** A record written by someone else: straight into the table, past any log instance. */
function insertBehindItsBack(id: string): void {
  const db = openSqlite(join(dir, 'fraud.db'));
  prepareDecisionInsert(db)([decisionRecord(id, 1_535_796_000)]);
  db.close();
}

describe('SqliteDecisionLog as the sole writer (the service, holding DATA_DIR)', () => {
  test('finds what it appended, buffered and stored, and what a previous instance stored', async () => {
    const first = open(true);
    first.append(decisionRecord('a', 1_535_796_000));
    expect(first.getSync('a')?.transactionId).toBe('a');
    await first.flush();
    expect(first.getSync('a')?.transactionId).toBe('a');
    await first.close();

    const second = open(true);
    expect(second.getSync('a')?.transactionId).toBe('a');
    expect(second.getSync('never')).toBeNull();
  });

  test('answers a new id from memory: a row another writer slipped in is not seen (hence the DATA_DIR lock)', () => {
    const sole = open(true);
    const shared = open(false);
    insertBehindItsBack('sneaked');
    expect(shared.getSync('sneaked')?.transactionId).toBe('sneaked');
    expect(sole.getSync('sneaked')).toBeNull();
  });

  test('knows the records a crashed run left in the spill file, once they are replayed into the table', async () => {
    const left = [decisionRecord('spilled-1', 1_535_796_000), decisionRecord('spilled-2', 1_535_796_100)];
    writeFileSync(join(dir, 'spill.ndjson'), left.map((r) => `${decisionCodec.encode(r)}\n`).join(''));
    const log = open(true);
    await log.flush();
    expect(log.pending()).toBe(0);
    for (const r of left) expect(comparable(log.getSync(r.transactionId) ?? decisionRecord('missing', 0))).toEqual(comparable(r));
  });
});
