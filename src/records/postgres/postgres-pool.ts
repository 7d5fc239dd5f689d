import { Pool, type PoolClient } from 'pg';

/**
 * Where a PostgreSQL adapter connects: an injected pool (the caller owns it and ends it), or a
 * connection string (the adapter creates the pool and its `close()` ends it). `schema` (default
 * `public`) holds the tables; it must be a plain identifier.
 */
export type PostgresConnectionOptions =
  | {
      readonly pool: Pool;
      readonly schema?: string;
    }
  | {
      readonly connectionString: string;
      readonly schema?: string;
      /** Connections in the created pool (default 10). */
      readonly maxConnections?: number;
      /** Longest a new connection may take before the query fails, ms (default 5000). */
      readonly connectTimeoutMs?: number;
      /**
       * Errors of idle pooled connections (e.g. the server restarted). The pool drops the
       * connection either way; without a listener such an error would crash the process.
       */
      readonly onPoolError?: (err: Error) => void;
    };

/** A pool and whether the adapter that resolved it owns it (and so must end it). */
export interface ResolvedPool {
  readonly pool: Pool;
  readonly owned: boolean;
}

/**
 * The pool to use for `opts`: the injected one, or a new one (not yet connected; connections open
 * lazily) with a connect timeout, TCP keep-alive and an idle-error listener. Never throws.
 */
export function resolvePool(opts: PostgresConnectionOptions): ResolvedPool {
  if ('pool' in opts) return { pool: opts.pool, owned: false };
  const pool = new Pool({
    connectionString: opts.connectionString,
    max: opts.maxConnections ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    keepAlive: true,
  });
  const onError = opts.onPoolError ?? (() => undefined);
  pool.on('error', onError);
  return { pool, owned: true };
}

/**
 * Runs `work` on a connection checked out of `pool`, returning it afterwards; when `work` throws,
 * the connection is destroyed instead (it may be broken or mid-transaction; the server rolls back).
 * While checked out, a connection error that arrives between queries (the server or network went
 * away) is caught here: unlistened, node-postgres would raise it as an uncaught exception; the
 * next query fails with it instead. Rejects with the driver's error or whatever `work` throws.
 */
export async function withClient<R>(pool: Pool, work: (client: PoolClient) => Promise<R>): Promise<R> {
  const client = await pool.connect();
  const swallow = () => undefined;
  client.on('error', swallow);
  try {
    const result = await work(client);
    client.removeListener('error', swallow);
    client.release();
    return result;
  } catch (err) {
    client.removeListener('error', swallow);
    client.release(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}
