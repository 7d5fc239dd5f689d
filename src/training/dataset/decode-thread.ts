import { Worker } from 'node:worker_threads';
import type { DecodedColumns } from './decoded-columns';
import type { EventBatch } from './event-batch';
import { InvalidEventError } from './event-file-decoder';

/** What the decoding thread starts with. */
export interface DecodeWorkerData {
  readonly input: string;
  /** One int32: batches the replaying thread has finished with. */
  readonly consumed: SharedArrayBuffer;
}

/** Messages from the decoding thread, in order: batches, then `end` or `failed`. */
export type DecodeMessage =
  | { readonly kind: 'batch'; readonly batch: EventBatch }
  | { readonly kind: 'end'; readonly columns: DecodedColumns }
  | { readonly kind: 'failed'; readonly name: string; readonly message: string };

/** Batches the decoding thread may run ahead of the replay (bounds the memory they hold). */
export const MAX_BATCHES_AHEAD = 8;

/**
 * Decodes `input` in a worker thread running `script` (the built `decode-worker.js`) while this
 * thread handles the batches: `onBatch` is called for each, in order, synchronously as it arrives.
 * Resolves with the sidecar columns the decoding knows at the end. Rejects with {@link InvalidEventError}
 * for a malformed line, with what `onBatch` throws, or when the thread fails or exits early; the
 * thread is stopped either way.
 */
export function decodeInWorker(script: string, input: string, onBatch: (batch: EventBatch) => void): Promise<DecodedColumns> {
  const consumedBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const consumed = new Int32Array(consumedBuffer);
  const data: DecodeWorkerData = { input, consumed: consumedBuffer };
  const worker = new Worker(script, { workerData: data });
  return new Promise<DecodedColumns>((resolve, reject) => {
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      // Releases a thread waiting for room before stopping it.
      Atomics.store(consumed, 0, 1 << 30);
      Atomics.notify(consumed, 0);
      void worker.terminate();
      done();
    };
    worker.on('message', (m: DecodeMessage) => {
      if (settled) return;
      switch (m.kind) {
        case 'batch':
          try {
            onBatch(m.batch);
          } catch (err) {
            settle(() => reject(err));
            return;
          }
          Atomics.add(consumed, 0, 1);
          Atomics.notify(consumed, 0);
          return;
        case 'end':
          settle(() => resolve(m.columns));
          return;
        case 'failed':
          settle(() => reject(m.name === 'InvalidEventError' ? new InvalidEventError(m.message) : new Error(`decoding ${input}: ${m.message}`)));
          return;
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the decoding thread exited (code ${code}) before the end of ${input}`))));
  });
}
