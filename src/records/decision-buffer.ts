import { BufferedWriter, type BatchSink, type BufferedWriterOptions, type WriteState } from './buffered-writer';
import { decisionCodec } from './decision-codec';
import type { DecisionRecord } from './decision-record';

/** Batching, buffer bound and spill file of a decision log (the codec is fixed). */
export type DecisionWriterOptions = Omit<BufferedWriterOptions<DecisionRecord>, 'codec' | 'onSpilled'> & {
  /**
   * Spilled records `find` still answers for, at most (as their encoded lines, the most recently
   * spilled kept); default `maxBuffered`. Older ones are on disk only until written.
   */
  readonly maxSpilledReadable?: number;
};

/**
 * What every decision log adapter shares: records go to its sink through a {@link BufferedWriter},
 * and until they are written `find` answers for them (the first record per transactionId): every
 * record held in memory, and the `maxSpilledReadable` most recently spilled ones, so a retry or a
 * label does not miss a decision that is still buffered or spilled during an outage. Memory stays
 * bounded however long the outage: beyond those, spilled records are on disk only (a retry of one
 * is treated as new by this replica until the log holds it; the profile store's claims still merge
 * its change once). Records a previous process left in the spill file are indexed the same way at
 * start (see `indexPreviousSpill`).
 */
export class DecisionBuffer {
  /** Records in memory (queued or in flight), the first per id. */
  private readonly byId = new Map<string, DecisionRecord>();
  /** Spilled records' lines by id, oldest spilled first (insertion order), at most `maxSpilledReadable`. */
  private readonly spilledLines = new Map<string, string>();
  private readonly maxSpilledReadable: number;
  /**
   * Ids appended but not durable yet (neither written by the sink nor persisted to the synced
   * spill file), with the callbacks waiting for them.
   */
  private readonly volatile = new Map<string, (() => void)[] | null>();
  private readonly writer: BufferedWriter<DecisionRecord>;

  constructor(sink: BatchSink<DecisionRecord>, options: DecisionWriterOptions) {
    this.maxSpilledReadable = options.maxSpilledReadable ?? options.maxBuffered;
    this.writer = new BufferedWriter(sink, {
      ...options,
      codec: decisionCodec,
      onWritten: (items) => {
        // By id, not identity: records replayed from the spill file are decoded copies. The entry
        // held is the first record for the id, written no later than any copy (order is kept).
        for (const r of items) {
          this.byId.delete(r.transactionId);
          this.spilledLines.delete(r.transactionId);
          this.settle(r.transactionId);
        }
        options.onWritten?.(items);
      },
      onSpilled: (items, lines) => {
        items.forEach((r, i) => {
          const id = r.transactionId;
          // Only the entry held (the first record for the id) moves; a later copy adds nothing.
          if (this.byId.get(id) !== r) return;
          this.byId.delete(id);
          if (this.maxSpilledReadable > 0 && !this.spilledLines.has(id)) this.spilledLines.set(id, lines[i] as string);
        });
        for (const id of this.spilledLines.keys()) {
          if (this.spilledLines.size <= this.maxSpilledReadable) break;
          this.spilledLines.delete(id);
        }
      },
      onPersisted: (items) => {
        for (const r of items) this.settle(r.transactionId);
        options.onPersisted?.(items);
      },
    });
    this.indexPreviousSpill();
  }

  /**
   * Records a previous process persisted to the spill file (answered, so acknowledged) and did not
   * write: `find` answers for them like for this process's own, until the replay writes them, so
   * a retry after a crash gets the answer it was given, not a new scoring. Read once, at start,
   * before the replay begins; bounded by `maxSpilledReadable` like the rest (the most recent kept).
   */
  private indexPreviousSpill(): void {
    if (this.maxSpilledReadable === 0 || this.writer.pending() === 0) return;
    this.writer.forEachSpilled((r, line) => {
      if (!this.spilledLines.has(r.transactionId)) this.spilledLines.set(r.transactionId, line);
    });
    for (const id of this.spilledLines.keys()) {
      if (this.spilledLines.size <= this.maxSpilledReadable) break;
      this.spilledLines.delete(id);
    }
  }

  append(record: DecisionRecord): void {
    const id = record.transactionId;
    if (!this.byId.has(id) && !this.spilledLines.has(id)) this.byId.set(id, record);
    if (!this.volatile.has(id)) this.volatile.set(id, null);
    this.writer.push(record);
  }

  /**
   * Resolves once the record appended for `transactionId` is durable: committed by the sink, or
   * persisted to the synced spill file (see {@link persist}). At once for an id not waiting.
   */
  durable(transactionId: string): Promise<void> {
    if (!this.volatile.has(transactionId)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.volatile.get(transactionId);
      if (waiters === null || waiters === undefined) this.volatile.set(transactionId, [resolve]);
      else waiters.push(resolve);
    });
  }

  /** Makes every record appended so far durable without the sink (BufferedWriter.persist). */
  persist(): Promise<void> {
    return this.writer.persist();
  }

  /** How the sink's writes go (BufferedWriter.writeState). */
  writeState(stallMs: number): WriteState {
    return this.writer.writeState(stallMs);
  }

  private settle(transactionId: string): void {
    const waiters = this.volatile.get(transactionId);
    if (waiters === undefined) return;
    this.volatile.delete(transactionId);
    if (waiters !== null) for (const resolve of waiters) resolve();
  }

  /** The unwritten record for a transaction, if any (a spilled one decoded from its line: a copy). */
  find(transactionId: string): DecisionRecord | undefined {
    const held = this.byId.get(transactionId);
    if (held !== undefined) return held;
    const line = this.spilledLines.size === 0 ? undefined : this.spilledLines.get(transactionId);
    return line === undefined ? undefined : decisionCodec.decode(line);
  }

  /** Records `find` answers for: in memory, and spilled ones still readable. */
  readable(): { readonly held: number; readonly spilled: number } {
    return { held: this.byId.size, spilled: this.spilledLines.size };
  }

  /** Visits the records in the spill files (those a previous process left included). */
  forEachSpilled(visit: (record: DecisionRecord) => void): void {
    this.writer.forEachSpilled(visit);
  }

  pending(): number {
    return this.writer.pending();
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
