import { join } from 'node:path';
import type { Config } from '../config/config';
import type { ServiceMetrics } from '../telemetry/metrics';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import type { EventStores } from './event-stores';
import { SqliteListStore } from '../rules/sqlite-list-store';
import { openSqlite } from './sqlite/sqlite-database';
import { BUILT_DECISION_WRITER, SqliteDecisionLog } from './sqlite/sqlite-decision-log';
import { SqliteLabelStore } from './sqlite/sqlite-label-store';

export type { EventStores } from './event-stores';

export interface EventStoreOptions {
  /**
   * `serve` (the default): the service's own stores. It takes the DATA_DIR lock (one service per
   * data directory: the spill file and the SQLite decision log are its alone), waiting up to
   * DATA_DIR_LOCK_WAIT_MS for a previous holder, and the SQLite log then answers new ids from memory.
   * `read`: a tool that reads the stores beside a running service (retrain); no lock.
   */
  readonly role?: 'serve' | 'read';
  /**
   * The SQLite decision log's writer thread script (see `SqliteDecisionLogOptions.writerThread`):
   * by default the built one beside this module, as the service runs from dist/; null inserts on
   * this thread. Sources run by ts-jest pass the script in dist/ or null.
   */
  readonly decisionLogWriter?: string | null;
}

/**
 * Builds the decision log, label store and list store from config: SQLite in `DATA_DIR` by default
 * (`DECISION_LOG=sqlite`), PostgreSQL with `DECISION_LOG=postgres` and `DATABASE_URL`. Throws
 * DataDirInUseError when serving and another service holds DATA_DIR.
 */
export async function createEventStores(config: Config, metrics: ServiceMetrics, options: EventStoreOptions = {}): Promise<EventStores> {
  const serve = (options.role ?? 'serve') === 'serve';
  const lock: DataDirLock | null = serve ? lockDataDir(config.DATA_DIR, config.DATA_DIR_LOCK_WAIT_MS) : null;
  try {
    const stores = await openStores(config, metrics, serve, options.decisionLogWriter === undefined ? BUILT_DECISION_WRITER : options.decisionLogWriter);
    return {
      decisionLog: stores.decisionLog,
      labels: stores.labels,
      lists: stores.lists,
      async close() {
        try {
          await stores.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function openStores(config: Config, metrics: ServiceMetrics, soleWriter: boolean, writerThread: string | null): Promise<EventStores> {
  const writer = {
    batchSize: config.DECISION_LOG_BATCH_SIZE,
    flushMs: config.DECISION_LOG_FLUSH_MS,
    maxBuffered: config.DECISION_LOG_BUFFER_MAX,
    spillPath: join(config.DATA_DIR, 'decision-log.spill.ndjson'),
    onWriteError: () => metrics.decisionLogWriteErrors.inc(),
    onSpill: (n: number) => metrics.decisionLogSpilled.inc(n),
  };
  if (config.DECISION_LOG === 'postgres') {
    const { openPostgresEventStores } = await import('./postgres/postgres-event-stores');
    return openPostgresEventStores({ connectionString: config.DATABASE_URL as string, schema: config.DATABASE_SCHEMA }, writer);
  }
  const db = openSqlite(join(config.DATA_DIR, 'fraud.db'));
  const decisionLog = new SqliteDecisionLog(db, writer, { soleWriter, writerThread });
  const labels = new SqliteLabelStore(db);
  const lists = new SqliteListStore(db);
  return {
    decisionLog,
    labels,
    lists,
    async close() {
      await decisionLog.close();
      await labels.close();
      await lists.close();
      db.close();
    },
  };
}
