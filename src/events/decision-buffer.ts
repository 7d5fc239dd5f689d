import { BufferedWriter, type BatchSink, type BufferedWriterOptions } from './buffered-writer';
import { decisionCodec } from './decision-codec';
import type { DecisionRecord } from './decision-record';

/** Batching, buffer bound and spill file of a decision log (the codec is fixed). */
export type DecisionWriterOptions = Omit<BufferedWriterOptions<DecisionRecord>, 'codec'>;

/**
 * What every decision log adapter shares: records go to its sink through a {@link BufferedWriter},
 * and until they are written `find` answers for them (the first record per transactionId), so
 * a retry or a label never misses a decision that is still buffered or spilled.
 */
export class DecisionBuffer {
  private readonly byId = new Map<string, DecisionRecord>();
  private readonly writer: BufferedWriter<DecisionRecord>;

  constructor(sink: BatchSink<DecisionRecord>, options: DecisionWriterOptions) {
    this.writer = new BufferedWriter(sink, {
      ...options,
      codec: decisionCodec,
      onWritten: (items) => {
        // By id, not identity: records replayed from the spill file are decoded copies. The entry
        // held is the first record for the id, written no later than any copy (order is kept).
        for (const r of items) this.byId.delete(r.transactionId);
        options.onWritten?.(items);
      },
    });
  }

  append(record: DecisionRecord): void {
    if (!this.byId.has(record.transactionId)) this.byId.set(record.transactionId, record);
    this.writer.push(record);
  }

  /** The unwritten record for a transaction, if any. */
  find(transactionId: string): DecisionRecord | undefined {
    return this.byId.get(transactionId);
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
