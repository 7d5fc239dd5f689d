import { appendFileSync, closeSync, existsSync, fdatasync, fdatasyncSync, openSync, readSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { countLines, LineReader } from './spill-file';

/** Appends whole lines or nothing: a failed append (disk full) is cut back, so no torn line is left. */
function appendLines(path: string, lines: readonly string[]): void {
  const size = existsSync(path) ? statSync(path).size : 0;
  try {
    appendFileSync(path, lines.map((l) => `${l}\n`).join(''));
  } catch (err) {
    if (existsSync(path)) truncateSync(path, size);
    throw err;
  }
}

/**
 * Syncs `path`'s data to the disk off the event loop (libuv's thread pool). The file is opened
 * now, so the sync covers what was appended to it even if it is renamed meanwhile (a replay
 * claiming it). Resolves at once when the file does not exist.
 */
function syncFileAsync(path: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve();
    return Promise.reject(err as Error);
  }
  return new Promise<void>((resolve, reject) => {
    fdatasync(fd, (err) => {
      closeSync(fd);
      if (err === null) resolve();
      else reject(err);
    });
  });
}


/** Items per write when replaying a spill file (smaller than a live batch: each is decoded and sent beside the traffic). */
const REPLAY_BATCH = 200;
/** Spilled lines decoded per event-loop turn during a replay. */
const REPLAY_DECODE_SLICE = 50;

/**
 * Replaces `path` by `head` (lines) followed by `from`'s bytes after `fromOffset` and then by what
 * `path` held, copied a chunk at a time, written to a temporary file that is synced, then renamed
 * over `path`: a crash at any point leaves either the old file or the whole new one.
 */
function rewriteSpill(path: string, head: readonly string[], from: string | null, fromOffset: number): void {
  const tmp = `${path}.tmp`;
  const out = openSync(tmp, 'w');
  try {
    writeSync(out, head.map((l) => `${l}\n`).join(''));
    const chunk = Buffer.allocUnsafe(1 << 20);
    const copy = (source: string, offset: number) => {
      if (!existsSync(source)) return;
      const fd = openSync(source, 'r');
      try {
        for (let at = offset, n = readSync(fd, chunk, 0, chunk.length, at); n > 0; at += n, n = readSync(fd, chunk, 0, chunk.length, at)) writeSync(out, chunk, 0, n);
      } finally {
        closeSync(fd);
      }
    };
    if (from !== null) copy(from, fromOffset);
    copy(path, 0);
    fdatasyncSync(out);
  } finally {
    closeSync(out);
  }
  renameSync(tmp, path);
}

/** A file that does not end with a newline (a crash mid-append) gets one, so the torn line stays alone. */
function terminateLastLine(path: string): void {
  if (!existsSync(path)) return;
  const size = statSync(path).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, last, 0, 1, size - 1);
  } finally {
    closeSync(fd);
  }
  if (last[0] !== 0x0a) appendFileSync(path, '\n');
}

/** See {@link BufferedWriter.writeState}. */
export type WriteState = 'ok' | 'replaying' | 'failing';

/** Where batches go (a database table); rejects when the write did not happen. */
export interface BatchSink<T> {
  write(batch: readonly T[]): Promise<void>;
}

/** Encoding of items for the spill file (one line each, no newlines inside). */
export interface SpillCodec<T> {
  encode(item: T): string;
  decode(line: string): T;
}

export interface BufferedWriterOptions<T> {
  readonly batchSize: number;
  /**
   * Longest an item waits before its batch is written, ms. 0: a batch is written right after the
   * event-loop turn that queued it, or right after the write in flight (group commit: batches form
   * while a write is in flight).
   */
  readonly flushMs: number;
  /** Items held in memory; beyond this the oldest spill to `spillPath`. */
  readonly maxBuffered: number;
  readonly spillPath: string;
  readonly codec: SpillCodec<T>;
  /** Retry delay after a failed write, ms (doubles up to 30 s). */
  readonly retryMs?: number;
  readonly onWriteError?: (err: Error) => void;
  readonly onSpill?: (count: number) => void;
  /** Items that left memory for the spill file (not copies of a batch in flight), with their encoded lines. */
  readonly onSpilled?: (items: readonly T[], lines: readonly string[]) => void;
  readonly onWritten?: (items: readonly T[]) => void;
  /** Items made durable by {@link BufferedWriter.persist} (in the synced spill file; the sink gets them later). */
  readonly onPersisted?: (items: readonly T[]) => void;
}

/**
 * Batches items into a sink without ever blocking or failing the producer: items are written in
 * batches of `batchSize` at least every `flushMs`; when the sink fails they stay in memory and are
 * retried with backoff; past `maxBuffered` the oldest go to an append-only spill file (so a long
 * outage costs disk, not memory or data), which is replayed first once the sink recovers. A spill
 * file left by a crashed process is replayed at start. Order is kept.
 */
export class BufferedWriter<T> {
  private buffer: T[] = [];
  private inFlight: readonly T[] = [];
  private timer: { readonly cancel: () => void } | null = null;
  private writing: Promise<void> | null = null;
  private retryDelay: number;
  private spilled = 0;
  private closed = false;
  /** The latest write failed (cleared by the next one that succeeds). */
  private failing = false;
  /** When the write in flight started (performance.now() ms), or null. */
  private writeStartedAt: number | null = null;
  private persisting: Promise<void> | null = null;

  constructor(
    private readonly sink: BatchSink<T>,
    private readonly opts: BufferedWriterOptions<T>,
  ) {
    this.retryDelay = opts.retryMs ?? 100;
    terminateLastLine(opts.spillPath);
    terminateLastLine(`${opts.spillPath}.replay`);
    this.spilled = countLines(opts.spillPath) + countLines(`${opts.spillPath}.replay`);
    if (this.spilled > 0) this.schedule(0);
  }

  /** Queues an item. Never throws. */
  push(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length > this.opts.maxBuffered) this.spill();
    if (this.buffer.length >= this.opts.batchSize) this.schedule(0);
    else this.schedule(this.opts.flushMs);
  }

  /** Items not yet written (memory, in flight and spilled). */
  pending(): number {
    return this.buffer.length + this.inFlight.length + this.spilled;
  }

  /**
   * How writes go: `failing` after a failed write (until one succeeds) and while a write has been
   * in flight for more than `stallMs` (a sink that stopped answering); `replaying` while spilled
   * items wait to be written (they go first, so a new item waits for them); else `ok`.
   */
  writeState(stallMs: number): WriteState {
    if (this.failing || (this.writeStartedAt !== null && performance.now() - this.writeStartedAt > stallMs)) return 'failing';
    return this.spilled > 0 ? 'replaying' : 'ok';
  }

  /**
   * Makes everything queued so far durable without waiting for the sink: the memory buffer moves
   * to the spill file, a copy of the batch in flight is appended too (the sink ignores ids it
   * already holds when both land), and the file is synced to disk (fdatasync). Calls made in one
   * event-loop turn share one write and one sync. `onPersisted` gets the items made durable.
   * Rejects with the file system's error (nothing is lost: the items stay queued in memory).
   * The spill file is replayed to the sink as after any spill.
   */
  persist(): Promise<void> {
    if (this.persisting !== null) return this.persisting;
    this.persisting = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.persisting = null;
        let items: readonly T[];
        try {
          items = this.appendForPersist();
        } catch (err) {
          this.opts.onWriteError?.(err as Error);
          reject(err as Error);
          return;
        }
        // The sync runs on libuv's thread pool: the event loop goes on serving while the disk catches up.
        syncFileAsync(this.opts.spillPath).then(
          () => {
            this.opts.onPersisted?.(items);
            resolve();
          },
          (err: unknown) => {
            this.opts.onWriteError?.(err as Error);
            reject(err as Error);
          },
        );
      });
    });
    return this.persisting;
  }

  /** Appends the memory buffer (moved) and a copy of the batch in flight to the spill file; returns them. */
  private appendForPersist(): readonly T[] {
    const fromBuffer = this.buffer;
    const items = [...this.inFlight, ...fromBuffer];
    if (items.length === 0) return items;
    const lines = items.map((i) => this.opts.codec.encode(i));
    appendLines(this.opts.spillPath, lines);
    this.buffer = this.buffer.slice(fromBuffer.length);
    this.spilled += items.length;
    this.opts.onSpill?.(fromBuffer.length);
    this.opts.onSpilled?.(fromBuffer, lines.slice(this.inFlight.length));
    if (fromBuffer.length > 0) this.schedule(this.retryDelay);
    return items;
  }

  /** Items queued in memory or in flight (not spilled), oldest first. */
  unwritten(): readonly T[] {
    return [...this.inFlight, ...this.buffer];
  }

  /**
   * Visits every item of the spill files (oldest first; lines that do not decode are skipped): what
   * is on disk and not yet written, e.g. left by a crashed process, for a reader that must know it.
   * `visit` also gets the item's line as it is on disk.
   */
  forEachSpilled(visit: (item: T, line: string) => void): void {
    for (const path of [`${this.opts.spillPath}.replay`, this.opts.spillPath]) {
      if (!existsSync(path)) continue;
      const reader = new LineReader(path);
      try {
        for (let lines = reader.next(this.opts.batchSize); lines.length > 0; lines = reader.next(this.opts.batchSize)) {
          for (const line of lines) {
            let item: T;
            try {
              item = this.opts.codec.decode(line);
            } catch {
              continue;
            }
            visit(item, line);
          }
        }
      } finally {
        reader.close();
      }
    }
  }

  /**
   * Writes everything queued so far. Resolves when all of it (including the spill file) is in the
   * sink; rejects with the sink's error when it is down (the items stay queued).
   */
  async flush(): Promise<void> {
    for (;;) {
      if (this.writing !== null) await this.writing.catch(() => undefined);
      if (this.buffer.length === 0 && this.spilled === 0) return;
      try {
        await this.writeOnce();
      } catch (err) {
        // Items pushed while this write was in flight found no timer to arm; keep retrying them.
        this.schedule(this.retryDelay);
        throw err;
      }
    }
  }

  /** Flushes (best effort) and stops the timer; what could not be written stays spilled on disk. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    try {
      await this.flush();
    } catch {
      // Keep the data: everything unwritten goes to the spill file for the next start.
      this.spillAll();
    }
  }

  private schedule(ms: number): void {
    if (this.closed || this.timer !== null || this.writing !== null) return;
    const run = () => {
      this.timer = null;
      this.writeOnce().then(
        () => {
          this.retryDelay = this.opts.retryMs ?? 100;
          if (this.buffer.length > 0 || this.spilled > 0) this.schedule(this.buffer.length >= this.opts.batchSize || this.spilled > 0 ? 0 : this.opts.flushMs);
        },
        () => {
          this.schedule(this.retryDelay);
          this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
        },
      );
    };
    // 0: right after the current event-loop turn (what it queued is the batch); a timer of 0 waits a millisecond.
    if (ms === 0) {
      // Not unref'd: the poll phase would block until some other event before running it.
      const immediate = setImmediate(run);
      this.timer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(run, ms).unref();
      this.timer = { cancel: () => clearTimeout(timeout) };
    }
  }

  private clearTimer(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private writeOnce(): Promise<void> {
    if (this.writing !== null) return this.writing;
    const run = async () => {
      if (this.spilled > 0) await this.replaySpill();
      // Items spilled during the replay are older than the buffer: they go first (next round).
      if (this.spilled > 0 || this.buffer.length === 0) return;
      const batch = this.buffer.splice(0, this.opts.batchSize);
      this.inFlight = batch;
      this.writeStartedAt = performance.now();
      try {
        await this.sink.write(batch);
        this.failing = false;
        this.opts.onWritten?.(batch);
      } catch (err) {
        this.failing = true;
        this.requeue(batch);
        this.opts.onWriteError?.(err as Error);
        throw err;
      } finally {
        this.inFlight = [];
        this.writeStartedAt = null;
      }
    };
    this.writing = run().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async replaySpill(): Promise<void> {
    // Claim the file first, so spills during the replay go to a fresh one (order: old before new).
    // A claimed file left by a crash is replayed as is; the sink ignores ids it already holds.
    const claimed = `${this.opts.spillPath}.replay`;
    if (!existsSync(claimed)) {
      if (!existsSync(this.opts.spillPath)) {
        this.spilled = 0;
        return;
      }
      renameSync(this.opts.spillPath, claimed);
    }
    // Streamed a batch at a time: memory holds one batch whatever the file's size.
    const reader = new LineReader(claimed);
    try {
      for (;;) {
        const start = reader.offset;
        const entries = await this.decodeGradually(reader.next(Math.min(this.opts.batchSize, REPLAY_BATCH)));
        if (entries.length === 0 && reader.offset === start) break;
        if (entries.length === 0) continue;
        const batch = entries.map((e) => e.item);
        this.writeStartedAt = performance.now();
        try {
          await this.sink.write(batch);
          this.failing = false;
        } catch (err) {
          this.failing = true;
          // Put what is left (this batch, less lines set aside, and the rest of the file) back, ahead of anything spilled meanwhile.
          rewriteSpill(this.opts.spillPath, entries.map((e) => e.line), claimed, reader.offset);
          rmSync(claimed);
          this.spilled = countLines(this.opts.spillPath);
          this.opts.onWriteError?.(err as Error);
          throw err;
        } finally {
          this.writeStartedAt = null;
        }
        this.opts.onWritten?.(batch);
      }
    } finally {
      reader.close();
    }
    rmSync(claimed, { force: true });
    this.spilled = countLines(this.opts.spillPath);
  }

  /**
   * {@link decodeLines} a slice at a time, yielding to the event loop between slices: a replay
   * after an outage runs beside the traffic, never stalling its answers for a whole batch.
   */
  private async decodeGradually(lines: readonly string[]): Promise<{ readonly line: string; readonly item: T }[]> {
    const entries: { readonly line: string; readonly item: T }[] = [];
    for (let at = 0; at < lines.length; at += REPLAY_DECODE_SLICE) {
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      entries.push(...this.decodeLines(lines.slice(at, at + REPLAY_DECODE_SLICE)));
    }
    return entries;
  }

  /**
   * Decodes spilled lines. A line that does not decode (torn by a crash mid-append) can never be
   * written: it is moved to `<spillPath>.rejected` and reported, rather than blocking the replay forever.
   */
  private decodeLines(lines: readonly string[]): { readonly line: string; readonly item: T }[] {
    const entries: { readonly line: string; readonly item: T }[] = [];
    for (const line of lines) {
      try {
        entries.push({ line, item: this.opts.codec.decode(line) });
      } catch (err) {
        appendFileSync(`${this.opts.spillPath}.rejected`, `${line}\n`);
        this.opts.onWriteError?.(new Error(`unreadable spill line moved to ${this.opts.spillPath}.rejected: ${(err as Error).message}`));
      }
    }
    return entries;
  }

  /** Puts a failed batch back at the head of the queue (the spill file, if items spilled meanwhile). */
  private requeue(batch: readonly T[]): void {
    if (this.spilled > 0) {
      // The batch is older than whatever spilled while it was in flight, so it must be replayed first.
      try {
        const lines = batch.map((i) => this.opts.codec.encode(i));
        rewriteSpill(this.opts.spillPath, lines, null, 0);
        this.spilled = countLines(this.opts.spillPath);
        this.opts.onSpill?.(batch.length);
        this.opts.onSpilled?.(batch, lines);
        return;
      } catch (err) {
        // Disk trouble: keeping the batch in memory (out of order) beats losing it.
        this.opts.onWriteError?.(err as Error);
      }
    }
    this.buffer.unshift(...batch);
  }

  private spill(): void {
    const over = this.buffer.length - this.opts.maxBuffered;
    if (over <= 0) return;
    const out = this.buffer.slice(0, over);
    const lines = out.map((i) => this.opts.codec.encode(i));
    try {
      appendLines(this.opts.spillPath, lines);
    } catch (err) {
      // `push` never throws: when the disk refuses, the items stay in memory past the bound.
      this.opts.onWriteError?.(err as Error);
      return;
    }
    this.buffer.splice(0, over);
    this.spilled += out.length;
    this.opts.onSpill?.(out.length);
    this.opts.onSpilled?.(out, lines);
  }

  private spillAll(): void {
    const out = [...this.buffer];
    if (out.length === 0) return;
    const lines = out.map((i) => this.opts.codec.encode(i));
    appendLines(this.opts.spillPath, lines);
    this.buffer = [];
    this.spilled += out.length;
    this.opts.onSpill?.(out.length);
    this.opts.onSpilled?.(out, lines);
  }
}
