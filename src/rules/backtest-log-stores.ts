import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/config';
import type { DecisionLog } from '../records/decision-log';
import type { LabelStore } from '../records/label-store';
import { NoDecisionLogError } from '../records/open-decision-history';
import { openSqlite } from '../records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../records/sqlite/sqlite-decision-log';
import { SqliteLabelStore } from '../records/sqlite/sqlite-label-store';

/** The decision log and labels a backtest reads, beside a running service. */
export interface BacktestStores {
  readonly decisionLog: DecisionLog;
  readonly labels: LabelStore;
  close(): Promise<void>;
}

/**
 * Opens the configured decision log and label store to read (SQLite in DATA_DIR, or PostgreSQL
 * with DECISION_LOG=postgres): no DATA_DIR lock, nothing ever appended. The log's writer gets a
 * spill file of its own in a temporary directory, so this reader never touches (or replays) the
 * service's. Throws NoDecisionLogError when DATA_DIR holds no SQLite log (none is created), or
 * the database's error.
 */
export async function openBacktestStores(config: Config): Promise<BacktestStores> {
  const sqlite = join(config.DATA_DIR, 'fraud.db');
  if (config.DECISION_LOG !== 'postgres' && !existsSync(sqlite)) {
    throw new NoDecisionLogError(`no decision log at ${sqlite}: set DATA_DIR to the service's data directory (or DECISION_LOG=postgres with DATABASE_URL)`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'fraudctl-rules-test-'));
  const writer = { batchSize: 1, flushMs: 1000, maxBuffered: 1, spillPath: join(scratch, 'unused.spill.ndjson') };
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  try {
    if (config.DECISION_LOG === 'postgres') {
      const { openPostgresEventStores } = await import('../records/postgres/postgres-event-stores');
      const stores = await openPostgresEventStores({ connectionString: config.DATABASE_URL as string, schema: config.DATABASE_SCHEMA }, writer);
      return {
        decisionLog: stores.decisionLog,
        labels: stores.labels,
        async close() {
          try {
            await stores.close();
          } finally {
            removeScratch();
          }
        },
      };
    }
    const db = openSqlite(sqlite);
    // Nothing is ever appended, so no writer thread: the log's sink stays unused on this thread.
    const decisionLog = new SqliteDecisionLog(db, writer, { writerThread: null });
    const labels = new SqliteLabelStore(db);
    return {
      decisionLog,
      labels,
      async close() {
        try {
          await decisionLog.close();
          await labels.close();
          db.close();
        } finally {
          removeScratch();
        }
      },
    };
  } catch (err) {
    removeScratch();
    throw err;
  }
}
