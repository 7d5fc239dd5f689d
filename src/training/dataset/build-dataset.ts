import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FEATURE_COUNT, FEATURE_NAMES, type Transaction } from '../../../features';
import { featureSpecHash } from '../../model/feature-spec-hash';
import type { Validators } from '../../validation/validators';
import { MATRIX_FILE, SIDECAR_FILE, type DatasetSidecar } from './dataset-format';
import { EventLineDecoder, type DecodedEvent } from './event-line-decoder';
import { JsonArrayWriter } from './json-array-writer';
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
  // One view per row of the chunk, made once: a view made per row was a young object per event.
  const rowViews = Array.from({ length: ROWS_PER_CHUNK }, (_, r) => chunk.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT));
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
          const out = rowViews[inChunk] as Float32Array;
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
  const header: Omit<DatasetSidecar, 'columns'> = {
    format: 'fraud-dataset/v1',
    featureNames: FEATURE_NAMES,
    specHash,
    rows: replay.rows,
    matrix: { file: MATRIX_FILE, dtype: 'float32', byteOrder: 'little', layout: 'row-major' },
    source: { file: basename(opts.input), events, transactions, labels, duplicateTransactions, duplicateLabels, unknownTransactionLabels },
  };
  const sidecarTmp = join(opts.outDir, `.${SIDECAR_FILE}.tmp`);
  writeSidecar(sidecarTmp, header, replay);
  renameSync(matrixTmp, join(opts.outDir, MATRIX_FILE));
  renameSync(sidecarTmp, join(opts.outDir, SIDECAR_FILE));
  return { rows: header.rows, features: FEATURE_COUNT, specHash, events, sidecar: header, replay };
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

/**
 * Writes the sidecar: the header, then the per-row columns (in `DatasetSidecar['columns']` order)
 * straight from the replay's own arrays, never holding them as one string or as arrays of values.
 */
function writeSidecar(path: string, header: Omit<DatasetSidecar, 'columns'>, replay: OfflineReplay): void {
  const fd = openSync(path, 'w');
  try {
    const out = new JsonArrayWriter(fd);
    const rows = header.rows;
    const { timestamp, userId, merchantId } = replay.rowColumns();
    const ids = replay.transactionIdBytes();
    const label = replay.finalLabels();
    const knownAt = replay.labelKnownAt();
    const head = JSON.stringify(header);
    out.text(`${head.slice(0, -1)},"columns":{"transactionId":`);
    out.byteStrings(ids.bytes, ids.starts, rows);
    out.text(',"timestamp":');
    out.numbers(timestamp, rows);
    out.text(',"userId":');
    out.strings(userId, rows);
    out.text(',"merchantId":');
    out.strings(merchantId, rows);
    out.text(',"label":');
    out.numbers(label, rows);
    // NaN (never labeled) is written null.
    out.text(',"labelKnownAt":');
    out.numbers(knownAt, rows);
    out.text('}}\n');
    out.flush();
  } finally {
    closeSync(fd);
  }
}
