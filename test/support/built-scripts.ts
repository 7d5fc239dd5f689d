import { join } from 'node:path';

/** Scripts of the build (`npm test` builds first) that run as worker threads. */
export const DECODE_WORKER = join(__dirname, '../../dist/src/training/dataset/decode-worker.js');
