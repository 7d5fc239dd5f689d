import { join } from 'node:path';
import type { Config } from '../config/config';
import type { DecisionHistory } from './decision-history';
import { openSqlite } from './sqlite-database';
import { SqliteHistory } from './sqlite-history';

/**
 * The decision history of the configured decision log (a tool's own connection, beside a running
 * service): SQLite in `DATA_DIR`, or PostgreSQL. `close()` releases the connection.
 */
export async function openDecisionHistory(config: Config): Promise<DecisionHistory> {
  if (config.DECISION_LOG === 'postgres') {
    const { openPostgresHistory } = await import('./postgres-history');
    return openPostgresHistory({ connectionString: config.DATABASE_URL as string, schema: config.DATABASE_SCHEMA });
  }
  return new SqliteHistory(openSqlite(join(config.DATA_DIR, 'fraud.db')), { ownsConnection: true });
}
