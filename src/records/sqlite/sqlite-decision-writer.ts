import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite-database';
import { preparePackedDecisionInsert, type WriterMessage, type WriterReply } from './sqlite-decision-log';

/**
 * The decision log's writer thread (started by SqliteDecisionLog): its own connection to the
 * database file, one transaction per batch received (packed, see decision-wire.ts), a reply per
 * message (`error` set when the batch was not written, so the sender keeps and retries it).
 * `close` closes the connection.
 */
function main(port: NonNullable<typeof parentPort>, path: string): void {
  const db = openSqlite(path);
  const insertAll = preparePackedDecisionInsert(db);
  port.on('message', (m: WriterMessage) => {
    let reply: WriterReply = { id: m.id };
    try {
      if (m.kind === 'write') insertAll(m.batch);
      else db.close();
    } catch (err) {
      reply = { id: m.id, error: (err as Error).message };
    }
    port.postMessage(reply);
  });
}

if (parentPort === null) throw new Error('sqlite-decision-writer runs only as a worker thread');
main(parentPort, (workerData as { path: string }).path);
