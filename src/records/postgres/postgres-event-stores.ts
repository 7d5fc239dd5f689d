import type { EventStores } from '../event-stores';
import { createPostgresDecisionLog, type PostgresWriterOptions } from './postgres-decision-log';
import { createPostgresLabelStore } from './postgres-label-store';
import { createPostgresListStore } from '../../rules/postgres-list-store';
import { resolvePool, type PostgresConnectionOptions } from './postgres-pool';
import { quoteSchema } from './postgres-schema';

/**
 * Opens the decision log and the label store on one PostgreSQL pool (a connection string, or
 * options naming a pool or a schema), both ready when returned. `close()` flushes the decision log
 * (spilling what cannot be written), then ends the pool if this function created it. Throws a
 * RangeError for an invalid schema name, or the driver's error when the database is unreachable
 * (a pool it created is ended first).
 */
export async function openPostgresEventStores(
  connection: string | PostgresConnectionOptions,
  writer: PostgresWriterOptions,
): Promise<EventStores> {
  const opts: PostgresConnectionOptions = typeof connection === 'string' ? { connectionString: connection } : connection;
  quoteSchema(opts.schema ?? 'public');
  const { pool, owned } = resolvePool(opts);
  const shared = { pool, schema: opts.schema };
  // The decision log's batch inserts get connections of their own (see its writerPool).
  const writerPool = 'connectionString' in opts ? resolvePool({ connectionString: opts.connectionString, maxConnections: 2 }) : null;
  try {
    const decisionLog = await createPostgresDecisionLog({ ...shared, writer, ...(writerPool === null ? {} : { writerPool: writerPool.pool }) });
    const labels = await createPostgresLabelStore(shared).catch(async (err: unknown) => {
      await decisionLog.close();
      throw err;
    });
    const lists = await createPostgresListStore(shared).catch(async (err: unknown) => {
      await decisionLog.close();
      await labels.close();
      throw err;
    });
    return {
      decisionLog,
      labels,
      lists,
      async close() {
        try {
          await decisionLog.close();
          await labels.close();
          await lists.close();
        } finally {
          await writerPool?.pool.end();
          if (owned) await pool.end();
        }
      },
    };
  } catch (err) {
    await writerPool?.pool.end();
    if (owned) await pool.end();
    throw err;
  }
}
