import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIDECAR_FILE, type DatasetSidecar } from './dataset-format';

export interface Dataset {
  readonly sidecar: DatasetSidecar;
  /** Row-major, `sidecar.rows × sidecar.featureNames.length`. */
  readonly matrix: Float32Array;
}

/**
 * Loads a dataset directory written by `build-dataset`. Throws when a file is missing, the format is
 * unknown, or the matrix size disagrees with the sidecar.
 */
export function loadDataset(dir: string): Dataset {
  const sidecar = JSON.parse(readFileSync(join(dir, SIDECAR_FILE), 'utf8')) as DatasetSidecar;
  if (sidecar.format !== 'fraud-dataset/v1') throw new Error(`${dir}: unknown dataset format ${String(sidecar.format)}`);
  const bytes = readFileSync(join(dir, sidecar.matrix.file));
  const expected = sidecar.rows * sidecar.featureNames.length * 4;
  if (bytes.length !== expected) throw new Error(`${dir}: matrix has ${bytes.length} bytes, expected ${expected}`);
  // A Float32Array view needs 4-byte alignment; small files come from a shared pool and may not be.
  const matrix =
    bytes.byteOffset % 4 === 0
      ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
      : new Float32Array(new Uint8Array(bytes).buffer);
  return { sidecar, matrix };
}
