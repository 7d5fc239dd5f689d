import { join } from 'node:path';
import { isSampled, type DecisionEvents } from './decision-events';
import { writeEventRow } from '../records/event-row-wire';
import type { UserIdPolicy } from './user-id-field';
import { WireWriter } from '../records/wire-bytes';
import { WorkerSink } from '../threads/worker-sink';

/** Bytes a pipe writes atomically (POSIX PIPE_BUF on Linux): the writer never writes more at once. */
export const PIPE_ATOMIC_BYTES = 4096;

/** What the writer thread is started with. */
export interface WriterData {
  readonly fd: number;
  readonly level: string;
  readonly userId: UserIdPolicy;
}

/**
 * The built writer thread's script beside this module (`dist/src/telemetry/decision-event-writer.js`):
 * what the service passes as {@link ThreadedDecisionEventsOptions.script}.
 */
export const BUILT_DECISION_EVENT_WRITER = join(__dirname, 'decision-event-writer.js');

export interface ThreadedDecisionEventsOptions {
  /** The built writer thread, `decision-event-writer.js` (see {@link BUILT_DECISION_EVENT_WRITER}). */
  readonly script: string;
  /** Where the lines go: 1 (stdout) in the service. */
  readonly fd: number;
  /** The service's log level; at a level above info no event is written. */
  readonly level: string;
  /** Fraction of approvals that get an event (see `isSampled`). */
  readonly sampleRate: number;
  /** How events carry the user id (see user-id-field.ts). */
  readonly userId: UserIdPolicy;
  /** Rows emitted but not yet written above which new ones are dropped (the output is stuck). */
  readonly maxBacklog: number;
  /** Called with the number of events dropped, by backlog or by a refusing output. */
  readonly onDropped: (count: number) => void;
  /** Called once if the writer thread fails; later events are dropped. */
  readonly onError: (err: Error) => void;
}

/**
 * Rows are sent in batches: when `MAX_BATCH` are waiting, else `FLUSH_MS` after the first. Both
 * bounds keep the scoring thread's cost down: each message wakes the writer thread (so not one per
 * turn of the event loop), and on a busy box the woken writer may run on the scoring thread's core,
 * stalling the requests in scoring for as long as it formats the batch (so no batch of more than a
 * few milliseconds of events). Figures in docs/performance.md.
 */
const MAX_BATCH = 512;
const FLUSH_MS = 4;

/**
 * Decision events formatted and written by a thread of their own: formatting an ECS line (pino,
 * the ECS formatter, JSON) and writing it stay off the scoring thread, which keeps only the
 * sampling draw and a flat row per event, sent in batches.
 * Lines are the same as `createDecisionEvents` writes. Events are telemetry, the decision log is
 * the record: when the output cannot keep up, events beyond `maxBacklog` are dropped and counted
 * rather than held without bound, and so are those a failed writer thread took with it. `close()`
 * resolves when every event emitted before it has been written.
 */
export function createThreadedDecisionEvents(opts: ThreadedDecisionEventsOptions): DecisionEvents {
  const data: WriterData = { fd: opts.fd, level: opts.level, userId: opts.userId };
  // Each batch of rows (their wire form, transferred) is answered with how many the output refused.
  const thread = new WorkerSink<ArrayBuffer, number>({ script: opts.script, workerData: data, name: 'decision event writer', restart: false });
  thread.warm();
  // Rows emitted and not yet sent, already in their wire form.
  const pending = new WireWriter(MAX_BATCH * 160);
  let pendingRows = 0;
  let timer: NodeJS.Timeout | null = null;
  /** Rows sent and not yet answered: with `pendingRows`, the backlog. */
  let inFlight = 0;
  let failed = false;
  let closing: Promise<void> | null = null;

  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pendingRows === 0) return;
    const rows = pending.finish();
    const count = pendingRows;
    pendingRows = 0;
    if (failed) {
      opts.onDropped(count);
      return;
    }
    inFlight += count;
    void thread.send(rows, [rows]).then(
      (refused) => {
        if (refused > 0) opts.onDropped(refused);
      },
      (err: Error) => {
        // Rows the thread never finished with are lost with it; it is not started again.
        opts.onDropped(count);
        if (!failed) {
          failed = true;
          opts.onError(err);
        }
      },
    ).finally(() => {
      inFlight -= count;
    });
  };

  return {
    emit(r, trace = null) {
      if (closing !== null || !isSampled(r, opts.sampleRate)) return;
      if (inFlight + pendingRows >= opts.maxBacklog) {
        opts.onDropped(1);
        return;
      }
      writeEventRow(pending, r, trace);
      if (++pendingRows >= MAX_BATCH) flush();
      else if (timer === null) {
        timer = setTimeout(flush, FLUSH_MS);
        timer.unref();
      }
    },
    close() {
      closing ??= (async () => {
        flush();
        // The sink answers every batch sent before `close` first, so their counts are in by then.
        await thread.close();
      })();
      return closing;
    },
  };
}
