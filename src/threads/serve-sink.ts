import { parentPort } from 'node:worker_threads';
import type { SinkReply, SinkRequest } from './sink-protocol';

/** What a sink's thread does with its items (see worker-sink.ts). */
export interface SinkHandler<T, R> {
  /** Handles one item; its value is the answer, a throw fails only this item. */
  handle(item: T): R;
  /** Releases what the handler holds (a connection); called once, on `close`. */
  close(): void;
}

/**
 * The thread side of a `WorkerSink`: answers each request with the handler's value or error, in the
 * order received, and on `close` calls the handler's `close`, answers and lets the thread end.
 * Throws when not run as a worker thread.
 */
export function serveSink<T, R>(name: string, handler: SinkHandler<T, R>): void {
  const port = parentPort;
  if (port === null) throw new Error(`${name} runs only as a worker thread`);
  port.on('message', (m: SinkRequest<T>) => {
    let reply: SinkReply<R>;
    try {
      if (m.kind === 'item') reply = { id: m.id, value: handler.handle(m.item) };
      else {
        handler.close();
        reply = { id: m.id };
      }
    } catch (err) {
      reply = { id: m.id, error: (err as Error).message };
    }
    port.postMessage(reply);
    if (m.kind === 'close') port.close();
  });
}
