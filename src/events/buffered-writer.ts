import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';

function readLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : [];
}

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

/** A file that does not end with a newline (a crash mid-append) gets one, so the torn line stays alone. */
function terminateLastLine(path: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  if (text.length > 0 && !text.endsWith('\n')) appendFileSync(path, '\n');
}

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
  readonly onWritten?: (items: readonly T[]) => void;
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

  constructor(
    private readonly sink: BatchSink<T>,
    private readonly opts: BufferedWriterOptions<T>,
  ) {
    this.retryDelay = opts.retryMs ?? 100;
    terminateLastLine(opts.spillPath);
    terminateLastLine(`${opts.spillPath}.replay`);
    this.spilled = readLines(opts.spillPath).length + readLines(`${opts.spillPath}.replay`).length;
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

  /** Items queued in memory or in flight (not spilled), oldest first. */
  unwritten(): readonly T[] {
    return [...this.inFlight, ...this.buffer];
  }

  /**
   * Visits every item of the spill files (oldest first; lines that do not decode are skipped): what
   * is on disk and not yet written, e.g. left by a crashed process, for a reader that must know it.
   */
  forEachSpilled(visit: (item: T) => void): void {
    for (const path of [`${this.opts.spillPath}.replay`, this.opts.spillPath]) {
      for (const line of readLines(path)) {
        let item: T;
        try {
          item = this.opts.codec.decode(line);
        } catch {
          continue;
        }
        visit(item);
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
      try {
        await this.sink.write(batch);
        this.opts.onWritten?.(batch);
      } catch (err) {
        this.requeue(batch);
        this.opts.onWriteError?.(err as Error);
        throw err;
      } finally {
        this.inFlight = [];
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
    const entries = this.decodeLines(readLines(claimed));
    for (let at = 0; at < entries.length; at += this.opts.batchSize) {
      const batch = entries.slice(at, at + this.opts.batchSize).map((e) => e.item);
      try {
        await this.sink.write(batch);
      } catch (err) {
        // Put what is left back, ahead of anything spilled meanwhile.
        const rest = [...entries.slice(at).map((e) => e.line), ...readLines(this.opts.spillPath)];
        writeFileSync(`${this.opts.spillPath}.tmp`, rest.map((l) => `${l}\n`).join(''));
        renameSync(`${this.opts.spillPath}.tmp`, this.opts.spillPath);
        rmSync(claimed);
        this.spilled = rest.length;
        this.opts.onWriteError?.(err as Error);
        throw err;
      }
      this.opts.onWritten?.(batch);
    }
    rmSync(claimed);
    this.spilled = readLines(this.opts.spillPath).length;
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
      const lines = [...batch.map((i) => this.opts.codec.encode(i)), ...readLines(this.opts.spillPath)];
      try {
        writeFileSync(`${this.opts.spillPath}.tmp`, lines.map((l) => `${l}\n`).join(''));
        renameSync(`${this.opts.spillPath}.tmp`, this.opts.spillPath);
        this.spilled = lines.length;
        this.opts.onSpill?.(batch.length);
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
    try {
      appendLines(this.opts.spillPath, out.map((i) => this.opts.codec.encode(i)));
    } catch (err) {
      // `push` never throws: when the disk refuses, the items stay in memory past the bound.
      this.opts.onWriteError?.(err as Error);
      return;
    }
    this.buffer.splice(0, over);
    this.spilled += out.length;
    this.opts.onSpill?.(out.length);
  }

  private spillAll(): void {
    const out = [...this.buffer];
    if (out.length === 0) return;
    appendLines(this.opts.spillPath, out.map((i) => this.opts.codec.encode(i)));
    this.buffer = [];
    this.spilled += out.length;
    this.opts.onSpill?.(out.length);
  }
}
