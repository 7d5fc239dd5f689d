import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { MATRIX_FILE, SIDECAR_FILE } from './dataset/dataset-format';

/** SHA-256 (hex) over a dataset directory's matrix and sidecar, read in chunks. */
export function datasetHash(dir: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  for (const name of [MATRIX_FILE, SIDECAR_FILE]) {
    const fd = openSync(join(dir, name), 'r');
    try {
      for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return hash.digest('hex');
}
