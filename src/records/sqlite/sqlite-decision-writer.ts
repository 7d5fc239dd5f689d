import { workerData } from 'node:worker_threads';
import { serveSink } from '../../threads/serve-sink';
import { openSqlite } from './sqlite-database';
import { preparePackedDecisionInsert, type WriterThreadData } from './sqlite-decision-log';

/**
 * The decision log's writer thread (started by SqliteDecisionLog): its own connection to the
 * database file, one transaction per batch received (packed, see decision-wire.ts). A batch that
 * fails is answered with its error, so the sender keeps and retries it; `close` closes the connection.
 */
const db = openSqlite((workerData as WriterThreadData).path);
serveSink('sqlite-decision-writer', { handle: preparePackedDecisionInsert(db), close: () => db.close() });
