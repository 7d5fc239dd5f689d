import { Worker, type Transferable } from 'node:worker_threads';
import type { SinkReply, SinkRequest } from './sink-protocol';

export interface WorkerSinkOptions {
  /** The thread's built script, which calls `serveSink` (see serve-sink.ts). */
  readonly script: string;
  /** Passed to the thread as `workerData` (structured-cloned once, at each start). */
  readonly workerData?: unknown;
  /** Names the thread in errors, e.g. `decision writer thread`. */
  readonly name: string;
  /**
   * After the thread dies (an uncaught error, a non-zero exit), true: the next `send` starts a new
   * thread; false: every later `send` fails at once with the error that ended it.
   */
  readonly restart: boolean;
}

interface Waiting<R> {
  readonly resolve: (value: R) => void;
  readonly reject: (err: Error) => void;
}

/**
 * One worker thread that receives work items and answers each one: the part every thread of the
 * service shares (the SQLite decision log's writer, the decision events' writer), so each owns
 * only what it does with an item.
 *
 * Contract:
 * - `send(item)` resolves with the value the thread's handler returned for that item, or rejects
 *   with the error it threw (the thread lives on), or with the error that ended the thread (every
 *   item not answered by then is rejected with it). Items are handled one at a time, in the order sent.
 * - The thread keeps the process alive only while an item is waiting for its answer: an idle sink
 *   never holds a process open.
 * - `close()` waits for every item sent before it, lets the handler release what it holds, and
 *   resolves when the thread has ended; `send` after `close` rejects.
 */
export class WorkerSink<T, R> {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting<R | undefined>>();
  /** The error that ended the thread, kept when `restart` is false. */
  private ended: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: WorkerSinkOptions) {}

  /** Items sent and not yet answered. */
  get outstanding(): number {
    return this.waiting.size;
  }

  /** Starts the thread now (idle, not holding the process) rather than on the first item. */
  warm(): void {
    if (this.closing === null && this.ended === null) this.start();
  }

  /** Sends one item; `transfer` lists buffers moved to the thread rather than copied (unusable here after). */
  send(item: T, transfer: readonly Transferable[] = []): Promise<R> {
    if (this.closing !== null) return Promise.reject(new Error(`${this.options.name} is closed`));
    return this.request({ id: ++this.nextId, kind: 'item', item }, transfer) as Promise<R>;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const worker = this.worker;
      if (worker === null) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      await this.request({ id: ++this.nextId, kind: 'close' }, []).catch(() => undefined);
      // The answer unrefs the thread; until it has ended, the process must wait for it.
      if (this.worker === worker) worker.ref();
      await exited;
    })();
    return this.closing;
  }

  private request(message: SinkRequest<T>, transfer: readonly Transferable[]): Promise<R | undefined> {
    if (this.ended !== null) return Promise.reject(this.ended);
    const worker = this.start();
    return new Promise<R | undefined>((resolve, reject) => {
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(message.id, { resolve, reject });
      worker.postMessage(message, transfer);
    });
  }

  private settle(id: number, reply: SinkReply<R>): void {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker?.unref();
    if (reply.error === undefined) waiting.resolve(reply.value);
    else waiting.reject(new Error(reply.error));
  }

  private start(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(this.options.script, { workerData: this.options.workerData });
    worker.unref();
    worker.on('message', (reply: SinkReply<R>) => this.settle(reply.id, reply));
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (!this.options.restart) this.ended = err;
      const waiting = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of waiting) w.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${this.options.name} exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
