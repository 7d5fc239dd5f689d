import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import pino from 'pino';
import { loggerOptions } from './logger';
import { writeDecisionEvent, type DecisionEventRow } from './decision-events';
import { readEventRows } from '../records/event-row-wire';
import { userIdFields } from './user-id-field';
import { lineChunks } from '../records/line-chunks';
import { PIPE_ATOMIC_BYTES, type WriterData } from './threaded-decision-events';
import { serveSink } from '../threads/serve-sink';

/**
 * The decision events' writer thread (started by `createThreadedDecisionEvents`): formats each
 * row with the service's logger options and writes the lines to `fd` in writes of whole lines of at
 * most {@link PIPE_ATOMIC_BYTES}, which a pipe takes atomically, so they never interleave with the
 * lines other threads write to the same stdout. Each batch is answered with the number of its
 * events the output refused; `close` is answered once everything before it is out.
 */
function main(data: WriterData): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  // The logger's lines go straight into one growing buffer as UTF-8, their ends noted: no string
  // concatenation, no separate byte-length scan, one copy.
  let out = Buffer.allocUnsafe(64 * 1024);
  let used = 0;
  const ends: number[] = [];
  const append = (line: string): void => {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: room for that means write never truncates.
    if (out.length - used < 3 * line.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * out.length, used + 3 * line.length));
      out.copy(bigger, 0, 0, used);
      out = bigger;
    }
    used += out.write(line, used, 'utf8');
    ends.push(used);
  };
  const logger = pino(loggerOptions(data.level), { write: append });
  const userFields = userIdFields(data.userId);

  /** Writes bytes [from, to) of `out`, waiting out a full non-blocking pipe; false when the fd refuses them. */
  const writeOut = (from: number, to: number): boolean => {
    let at = from;
    while (at < to) {
      try {
        at += writeSync(data.fd, out, at, to - at);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
    return true;
  };

  const writeRows = (rows: readonly DecisionEventRow[]): number => {
    used = 0;
    ends.length = 0;
    for (const row of rows) writeDecisionEvent(logger, row, userFields);
    let dropped = 0;
    let start = 0;
    let line = 0;
    for (const cut of lineChunks(ends, PIPE_ATOMIC_BYTES)) {
      let lines = 0;
      while (line < ends.length && (ends[line] as number) <= cut) {
        line++;
        lines++;
      }
      if (!writeOut(start, cut)) dropped += lines;
      start = cut;
    }
    // Rows the logger wrote nothing for (a level above info) are not events lost.
    return dropped;
  };

  serveSink<ArrayBuffer, number>('decision-event-writer', { handle: (rows) => writeRows(readEventRows(rows)), close: () => undefined });
}

main(workerData as WriterData);
