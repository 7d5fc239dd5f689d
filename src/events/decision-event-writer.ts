import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { loggerOptions } from '../telemetry/logger';
import { writeDecisionEvent, type DecisionEventRow } from './decision-events';
import { readEventRows } from './event-row-wire';
import { PIPE_ATOMIC_BYTES, Progress, type WriterData, type WriterMessage } from './threaded-decision-events';

/**
 * The decision events' writer thread (started by `createThreadedDecisionEvents`): formats each
 * row with the service's logger options and writes the lines to `fd` in writes of whole lines of at
 * most {@link PIPE_ATOMIC_BYTES}, which a pipe takes atomically, so they never interleave with the
 * lines other threads write to the same stdout. Records handled (written or dropped) and dropped
 * are counted in the shared `progress` array. `close` is answered once everything before it is out.
 */
function main(port: NonNullable<typeof parentPort>, data: WriterData): void {
  const progress = new Int32Array(data.progress);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let lines: string[] = [];
  const logger = pino(loggerOptions(data.level), { write: (line: string) => void lines.push(line) });

  /** Writes all of `text`, waiting out a full non-blocking pipe; false when the fd refuses it. */
  const writeOut = (text: string): boolean => {
    const bytes = Buffer.from(text, 'utf8');
    let at = 0;
    while (at < bytes.length) {
      try {
        at += writeSync(data.fd, bytes, at, bytes.length - at);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
    return true;
  };

  const writeRows = (rows: readonly DecisionEventRow[]): void => {
    lines = [];
    for (const row of rows) writeDecisionEvent(logger, row);
    let chunk = '';
    let chunkBytes = 0;
    let inChunk = 0;
    let dropped = 0;
    const send = () => {
      if (inChunk > 0 && !writeOut(chunk)) dropped += inChunk;
      chunk = '';
      chunkBytes = 0;
      inChunk = 0;
    };
    for (const line of lines) {
      const bytes = Buffer.byteLength(line, 'utf8');
      if (chunkBytes + bytes > PIPE_ATOMIC_BYTES) send();
      chunk += line;
      chunkBytes += bytes;
      inChunk++;
    }
    send();
    // Rows the logger wrote nothing for (a level above info) are not events lost.
    if (dropped > 0) Atomics.add(progress, Progress.Dropped, dropped);
    Atomics.add(progress, Progress.Handled, rows.length);
  };

  port.on('message', (m: WriterMessage) => {
    if (m.kind === 'rows') writeRows(readEventRows(m.rows));
    else {
      port.postMessage('closed');
      port.close();
    }
  });
}

if (parentPort === null) throw new Error('decision-event-writer runs only as a worker thread');
main(parentPort, workerData as WriterData);
