import { join } from 'node:path';
import type { Config } from '../config/config';
import type { ServiceMetrics } from '../telemetry/metrics';
import type { DecisionLog } from './decision-log';
import type { LabelStore } from './label-store';
import { openSqlite } from './sqlite-database';
import { SqliteDecisionLog } from './sqlite-decision-log';
import { SqliteLabelStore } from './sqlite-label-store';

export interface EventStores {
  readonly decisionLog: DecisionLog;
  readonly labels: LabelStore;
  /** Flushes the decision log and releases the connection(s). */
  close(): Promise<void>;
}

/**
 * Builds the decision log and label store from config: SQLite in `DATA_DIR` by default
 * (`DECISION_LOG=sqlite`), PostgreSQL with `DECISION_LOG=postgres` and `DATABASE_URL`.
 */
export async function createEventStores(config: Config, metrics: ServiceMetrics): Promise<EventStores> {
  const writer = {
    batchSize: config.DECISION_LOG_BATCH_SIZE,
    flushMs: config.DECISION_LOG_FLUSH_MS,
    maxBuffered: config.DECISION_LOG_BUFFER_MAX,
    spillPath: join(config.DATA_DIR, 'decision-log.spill.ndjson'),
    onWriteError: () => metrics.decisionLogWriteErrors.inc(),
    onSpill: (n: number) => metrics.decisionLogSpilled.inc(n),
  };
  if (config.DECISION_LOG === 'postgres') {
    const { openPostgresEventStores } = await import('./postgres-event-stores');
    return openPostgresEventStores(config.DATABASE_URL as string, writer);
  }
  const db = openSqlite(join(config.DATA_DIR, 'fraud.db'));
  const decisionLog = new SqliteDecisionLog(db, writer);
  const labels = new SqliteLabelStore(db);
  return {
    decisionLog,
    labels,
    async close() {
      await decisionLog.close();
      await labels.close();
      db.close();
    },
  };
}
