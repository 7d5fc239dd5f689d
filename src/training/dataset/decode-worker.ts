// Entry of build-dataset's decoding thread (see decode-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { createValidators } from '../../validation/validators';
import { columnBuffers } from './decoded-columns';
import type { EventBatch } from './event-batch';
import { decodeEventFile } from './event-file-decoder';
import { MAX_BATCHES_AHEAD, type DecodeMessage, type DecodeWorkerData } from './decode-thread';

const port = parentPort;
if (port === null) throw new Error('decode-worker.js runs as a worker thread');
const { input, consumed: consumedBuffer } = workerData as DecodeWorkerData;
const consumed = new Int32Array(consumedBuffer);
const post = (m: DecodeMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let posted = 0;
const onBatch = (batch: EventBatch) => {
  post({ kind: 'batch', batch }, [batch.fields, batch.amounts, batch.text]);
  posted++;
  for (;;) {
    const done = Atomics.load(consumed, 0);
    if (posted - done <= MAX_BATCHES_AHEAD) break;
    Atomics.wait(consumed, 0, done);
  }
};

try {
  const columns = decodeEventFile(input, createValidators, onBatch);
  post({ kind: 'end', columns }, columnBuffers(columns));
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ kind: 'failed', name: e.name, message: e.message });
}
