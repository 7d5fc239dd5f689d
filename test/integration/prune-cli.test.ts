import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRfc3339 } from '../../features';
import { main } from '../../src/cli/fraudctl';
import { openSqlite } from '../../src/records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../../src/records/sqlite/sqlite-decision-log';
import { decisionRecord } from '../contract/support/decision-records';

const DAY = 86_400_000;

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, ...env } } as never, out, err };
}

/**
 * `fraudctl prune` on the embedded log: the cut follows DECISION_LOG_RETENTION_DAYS, never reaches
 * records a retry could still ask for (EVENT_MAX_AGE_S), and 0 turns retention off.
 */
describe('fraudctl prune', () => {
  let dataDir: string;
  const now = Date.now();
  // One user paying one merchant every 10 days for 600 days, and twice this week; decided when they happened.
  const ages = [...Array.from({ length: 60 }, (_, i) => 605 - 10 * i), 5, 3];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'prune-cli-'));
    const db = openSqlite(join(dataDir, 'fraud.db'));
    const log = new SqliteDecisionLog(db, { batchSize: 1_000, flushMs: 60_000, maxBuffered: 10_000, retryMs: 10, spillPath: join(dataDir, 'spill.ndjson') });
    ages.forEach((age, i) => {
      const t = Math.floor((now - age * DAY) / 1000);
      const transaction = { transactionId: `c-${i}`, timestamp: formatRfc3339(t), userId: 'u', merchantId: 'm', amountMinor: 1_000, currency: 'EUR', channel: 'ecommerce' } as const;
      log.append(decisionRecord(`c-${i}`, t, { transaction, userReadVersion: i, merchantReadVersion: i, userVersion: i + 1, merchantVersion: i + 1, decidedAt: new Date(now - age * DAY).toISOString() }));
    });
    await log.close();
    db.close();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const remaining = () => {
    const db = openSqlite(join(dataDir, 'fraud.db'));
    try {
      return (db.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('deletes what is older than the retention, behind checkpoints, and reports it', async () => {
    const t = io({ DATA_DIR: dataDir, DECISION_LOG_RETENTION_DAYS: '400' });
    expect(await main(['prune', '--json'], t.io)).toBe(0);
    const report = JSON.parse(t.out.join('')) as { cut: string; deleted: { decisions: number }; checkpoints: { user: number; merchant: number } };
    expect(Date.parse(report.cut)).toBeCloseTo(now - 400 * DAY, -5);
    // Ages 605 … 405 days are older than 400 days: 21 records.
    expect(report.deleted.decisions).toBe(21);
    expect(report.checkpoints).toEqual({ user: 1, merchant: 1 });
    expect(remaining()).toBe(ages.length - 21);
  });

  it('never cuts into what a retry may still reach, nor with retention off', async () => {
    // A replay's EVENT_MAX_AGE_S: any old event may be retried, so nothing goes.
    const replay = io({ DATA_DIR: dataDir, DECISION_LOG_RETENTION_DAYS: '400', EVENT_MAX_AGE_S: '10000000000' });
    expect(await main(['prune', '--json'], replay.io)).toBe(0);
    expect(JSON.parse(replay.out.join(''))).toMatchObject({ cut: '1970-01-01T00:00:00.000Z', deleted: { decisions: 0, labels: 0 } });
    // --before later than EVENT_MAX_AGE_S allows is held back to it (7 days + 1 day).
    const early = io({ DATA_DIR: dataDir, DECISION_LOG_RETENTION_DAYS: '0' });
    expect(await main(['prune', '--before', new Date(now).toISOString(), '--json'], early.io)).toBe(0);
    expect(JSON.parse(early.out.join('')).deleted.decisions).toBe(ages.filter((a) => a > 8).length);
    const off = io({ DATA_DIR: dataDir, DECISION_LOG_RETENTION_DAYS: '0' });
    expect(await main(['prune'], off.io)).toBe(0);
    expect(off.err.join('')).toContain('retention is off');
    expect(remaining()).toBe(ages.filter((a) => a <= 8).length);
  });
});
