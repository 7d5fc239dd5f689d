import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FEATURE_COUNT, FEATURE_NAMES, type Transaction } from '../../../features';
import { featureSpecHash } from '../../model/feature-spec-hash';
import type { Validators } from '../../validation/validators';
import { MATRIX_FILE, SIDECAR_FILE, type DatasetSidecar } from './dataset-format';
import { EventLineDecoder, type DecodedEvent } from './event-line-decoder';
import { forEachLine } from './ndjson-lines';
import { OfflineReplay } from './replay';

export interface BuildDatasetOptions {
  readonly input: string;
  readonly outDir: string;
  readonly validators: Validators;
  /** Called with (bytesRead, totalBytes) as the input is consumed. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface BuildDatasetResult {
  readonly rows: number;
  readonly features: number;
  readonly specHash: string;
  readonly events: number;
  readonly sidecar: Omit<DatasetSidecar, 'columns'>;
  /** The replay's final state (profiles), e.g. to seed a store. */
  readonly replay: OfflineReplay;
}

/** A line of the input stream that is not a valid event. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

const ROWS_PER_CHUNK = 16_384;

/**
 * Replays an NDJSON event stream (`{"type":"transaction",...}` / `{"type":"label",...}`, in arrival
 * order) through `features/` and writes the dataset directory (see `dataset-format.ts`). Files are
 * written under temporary names and renamed at the end, so a reader never sees half a dataset.
 * Throws {@link InvalidEventError} naming the line and field of the first malformed event.
 */
export function buildDataset(opts: BuildDatasetOptions): BuildDatasetResult {
  const { validators } = opts;
  mkdirSync(opts.outDir, { recursive: true });
  const matrixTmp = join(opts.outDir, `.${MATRIX_FILE}.tmp`);
  const fd = openSync(matrixTmp, 'w');
  const replay = new OfflineReplay();
  const decoder = new EventLineDecoder();
  const chunk = new Float32Array(ROWS_PER_CHUNK * FEATURE_COUNT);
  const chunkBytes = new Uint8Array(chunk.buffer);
  let inChunk = 0;
  let events = 0;
  let transactions = 0;
  let labels = 0;
  let duplicateTransactions = 0;
  let duplicateLabels = 0;
  let unknownTransactionLabels = 0;
  const totalBytes = statSync(opts.input).size;

  const flush = () => {
    if (inChunk > 0) writeSync(fd, chunkBytes, 0, inChunk * FEATURE_COUNT * 4);
    inChunk = 0;
  };

  try {
    forEachLine(
      opts.input,
      (bytes, text, start, end, lineNumber) => {
        const parsed = decoder.decode(bytes, text, start, end) ?? parseLine(bytes.toString('utf8', start, end), lineNumber, validators);
        events++;
        if (parsed.type === 'transaction') {
          const txn: Transaction = parsed;
          const out = chunk.subarray(inChunk * FEATURE_COUNT, (inChunk + 1) * FEATURE_COUNT);
          const r = replay.transaction(txn, out);
          if (r.kind === 'duplicate') {
            duplicateTransactions++;
            return;
          }
          transactions++;
          if (++inChunk === ROWS_PER_CHUNK) flush();
        } else {
          const r = replay.label(parsed);
          if (r.kind === 'duplicate') duplicateLabels++;
          else if (r.kind === 'unknown_transaction') unknownTransactionLabels++;
          else labels++;
        }
      },
      (bytes) => opts.onProgress?.(bytes, totalBytes),
    );
    flush();
  } finally {
    closeSync(fd);
  }

  const specHash = featureSpecHash();
  const finalLabels = replay.finalLabels();
  const knownAt = replay.labelKnownAt();
  const rows = replay.rows;
  const sidecar: DatasetSidecar = {
    format: 'fraud-dataset/v1',
    featureNames: FEATURE_NAMES,
    specHash,
    rows,
    matrix: { file: MATRIX_FILE, dtype: 'float32', byteOrder: 'little', layout: 'row-major' },
    source: { file: basename(opts.input), events, transactions, labels, duplicateTransactions, duplicateLabels, unknownTransactionLabels },
    columns: {
      // Materialised only now: the replay keeps ids as bytes, and 1.8 million strings held through
      // the whole replay cost the collector more than building them once here.
      transactionId: Array.from({ length: rows }, (_, row) => replay.transactionId(row)),
      // The replay keeps these per row already.
      ...replay.rowColumns(),
      label: Array.from(finalLabels),
      labelKnownAt: Array.from(knownAt, (v) => (Number.isNaN(v) ? null : v)),
    },
  };
  const sidecarTmp = join(opts.outDir, `.${SIDECAR_FILE}.tmp`);
  writeJsonFile(sidecarTmp, sidecar);
  renameSync(matrixTmp, join(opts.outDir, MATRIX_FILE));
  renameSync(sidecarTmp, join(opts.outDir, SIDECAR_FILE));
  const { columns: _columns, ...header } = sidecar;
  return { rows, features: FEATURE_COUNT, specHash, events, sidecar: header, replay };
}

/** The ordinary path for a line the fast decoder left alone: JSON.parse, then the stream validators. */
function parseLine(line: string, lineNumber: number, validators: Validators): DecodedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new InvalidEventError(`line ${lineNumber}: not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidEventError(`line ${lineNumber}: not a JSON object`);
  const type = (parsed as { type?: unknown }).type;
  if (type === 'transaction') {
    if (!validators.streamTransaction(parsed)) throw invalid(lineNumber, validators.streamTransaction.errors());
    return parsed;
  }
  if (type === 'label') {
    if (!validators.streamLabelEvent(parsed)) throw invalid(lineNumber, validators.streamLabelEvent.errors());
    return parsed;
  }
  throw new InvalidEventError(`line ${lineNumber}: /type must be "transaction" or "label"`);
}

function invalid(lineNumber: number, errors: readonly { path: string; message: string }[]): InvalidEventError {
  const first = errors[0];
  return new InvalidEventError(`line ${lineNumber}: ${first === undefined ? 'invalid event' : `${first.path || '/'} ${first.message}`}`);
}

/** Writes a large JSON document column by column, never holding it as one string. */
function writeJsonFile(path: string, sidecar: DatasetSidecar): void {
  const fd = openSync(path, 'w');
  try {
    const { columns, ...header } = sidecar;
    const head = JSON.stringify(header);
    writeSync(fd, `${head.slice(0, -1)},"columns":{`);
    const names = Object.keys(columns) as (keyof DatasetSidecar['columns'])[];
    names.forEach((name, i) => {
      writeSync(fd, `${i > 0 ? ',' : ''}${JSON.stringify(name)}:[`);
      const values = columns[name] as readonly unknown[];
      const STEP = 100_000;
      for (let at = 0; at < values.length; at += STEP) {
        const part = JSON.stringify(values.slice(at, at + STEP));
        writeSync(fd, `${at > 0 ? ',' : ''}${part.slice(1, -1)}`);
      }
      writeSync(fd, ']');
    });
    writeSync(fd, '}}\n');
  } finally {
    closeSync(fd);
  }
}
