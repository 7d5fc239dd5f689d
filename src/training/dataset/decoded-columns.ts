import { ChunkSink, JsonArrayWriter } from './json-array-writer';

/**
 * The dataset sidecar's columns the decoding side knows (see `DatasetSidecar['columns']`), each
 * the JSON text of the whole array, one element per new transaction by row, as chunks in order:
 * written by that thread while the other one replays, and transferred, not copied.
 */
export interface DecodedColumns {
  readonly transactionId: readonly Uint8Array<ArrayBuffer>[];
  readonly timestamp: readonly Uint8Array<ArrayBuffer>[];
  readonly userId: readonly Uint8Array<ArrayBuffer>[];
  readonly merchantId: readonly Uint8Array<ArrayBuffer>[];
}

/** The buffers of `columns`' chunks, to transfer them. */
export function columnBuffers(columns: DecodedColumns): ArrayBuffer[] {
  return [columns.transactionId, columns.timestamp, columns.userId, columns.merchantId].flatMap((chunks) => chunks.map((c) => c.buffer));
}

/** A column written element by element into chunks: {@link writer} between construction and {@link finish}. */
export class ColumnText {
  private readonly chunks = new ChunkSink();
  readonly writer = new JsonArrayWriter(this.chunks.sink);

  constructor() {
    this.writer.start();
  }

  /** Closes the array and returns its chunks; write nothing after. */
  finish(): Uint8Array<ArrayBuffer>[] {
    this.writer.end();
    this.writer.flush();
    return this.chunks.chunks;
  }
}
