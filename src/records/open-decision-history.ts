import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config';
import type { DecisionHistory } from './decision-history';
import { openSqlite } from './sqlite/sqlite-database';
import { SqliteHistory } from './sqlite/sqlite-history';

/** No decision log where the configuration points: nothing was created in its place. */
export class NoDecisionLogError extends Error {
  override readonly name = 'NoDecisionLogError';
}

/**
 * The decision history of the configured decision log (a tool's own connection, beside a running
 * service): SQLite in `DATA_DIR`, or PostgreSQL. `close()` releases the connection. Throws
 * NoDecisionLogError when `DATA_DIR` holds no SQLite log (a tool never creates an empty one: a
 * wrong DATA_DIR would otherwise look like a service that decided nothing).
 */
export async function openDecisionHistory(config: Config): Promise<DecisionHistory> {
  if (config.DECISION_LOG === 'postgres') {
    const { openPostgresHistory } = await import('./postgres/postgres-history');
    return openPostgresHistory({ connectionString: config.DATABASE_URL as string, schema: config.DATABASE_SCHEMA });
  }
  const path = join(config.DATA_DIR, 'fraud.db');
  if (!existsSync(path)) {
    throw new NoDecisionLogError(`no decision log at ${path}: set DATA_DIR to the service's data directory (or DECISION_LOG=postgres with DATABASE_URL)`);
  }
  return new SqliteHistory(openSqlite(path), { ownsConnection: true });
}
