import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../features';
import { featureSpecHash } from '../../model/feature-spec-hash';
import type { ScenarioFile } from '../../sim/output/scenario-file';
import type { Validators } from '../../validation/validators';
import { MATRIX_FILE, SIDECAR_FILE, type DatasetSidecar } from './dataset-format';
import { decodeInWorker } from './decode-thread';
import type { DecodedColumns } from './decoded-columns';
import { EventBatchReader, type EventBatch, type EventSink } from './event-batch';
import { decodeEventFile, InvalidEventError } from './event-file-decoder';
import { fileSink, JsonArrayWriter } from './json-array-writer';
import { OfflineReplay } from './replay';

export interface BuildDatasetOptions {
  readonly input: string;
  readonly outDir: string;
  /** Validate the lines the fast decoder leaves alone, when they are decoded in this thread. */
  readonly validators: Validators;
  /**
   * The decoding thread's script (the built `decode-worker.js`, see `fraudctl build-dataset`), or
   * `null` to decode in this thread: the caller chooses. Either way the events go through the same
   * batches (see `event-batch.ts`) and give the same bytes.
   */
  readonly decodeWorker: string | null;
  /** Called with (bytesRead, totalBytes) as the input is consumed. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * The simulator's scenario of each fraud (its scenario file): when given, the sidecar gets the
   * scenario names and a `scenario` column (0 for transactions the file does not name).
   */
  readonly scenarios?: ScenarioFile | null;
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

export { InvalidEventError };

const ROWS_PER_CHUNK = 16_384;

/**
 * Replays an NDJSON event stream (`{"type":"transaction",...}` / `{"type":"label",...}`, in arrival
 * order) through `features/` and writes the dataset directory (see `dataset-format.ts`). The input
 * is decoded in a second thread while this one computes features (see
 * {@link BuildDatasetOptions.decodeWorker}). Files are written under temporary names and renamed at
 * the end, so a reader never sees half a dataset. Rejects with {@link InvalidEventError} naming the
 * line and field of the first malformed event.
 */
export async function buildDataset(opts: BuildDatasetOptions): Promise<BuildDatasetResult> {
  const { validators } = opts;
  const totalBytes = statSync(opts.input).size;
  mkdirSync(opts.outDir, { recursive: true });
  const matrixTmp = join(opts.outDir, `.${MATRIX_FILE}.tmp`);
  const fd = openSync(matrixTmp, 'w');
  const replay = new OfflineReplay();
  const reader = new EventBatchReader();
  const chunk = new Float32Array(ROWS_PER_CHUNK * FEATURE_COUNT);
  const chunkBytes = new Uint8Array(chunk.buffer);
  // One view per row of the chunk, made once, so an event allocates no view of its own.
  const rowViews = Array.from({ length: ROWS_PER_CHUNK }, (_, r) => chunk.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT));
  let inChunk = 0;
  const counts = { events: 0, transactions: 0, labels: 0, duplicateTransactions: 0, duplicateLabels: 0, unknownTransactionLabels: 0 };
  const scenarioOf = opts.scenarios?.frauds ?? null;
  let scenarioColumn = new Uint8Array(scenarioOf === null ? 0 : 1 << 16);

  const flush = () => {
    if (inChunk > 0) writeSync(fd, chunkBytes, 0, inChunk * FEATURE_COUNT * 4);
    inChunk = 0;
  };
  const sink: EventSink = {
    transaction(txn, userNumber, merchantNumber) {
      replay.scoreNumbered(txn, userNumber, merchantNumber, rowViews[inChunk] as Float32Array);
      if (scenarioOf !== null) {
        if (counts.transactions === scenarioColumn.length) {
          const grown = new Uint8Array(scenarioColumn.length * 2);
          grown.set(scenarioColumn);
          scenarioColumn = grown;
        }
        // Own properties only: an id such as "constructor" must not find Object.prototype's.
        if (Object.hasOwn(scenarioOf, txn.transactionId)) scenarioColumn[counts.transactions] = scenarioOf[txn.transactionId] as number;
      }
      counts.transactions++;
      if (++inChunk === ROWS_PER_CHUNK) flush();
    },
    duplicateTransaction() {
      counts.duplicateTransactions++;
    },
    label(row, event) {
      if (row < 0) counts.unknownTransactionLabels++;
      else if (replay.labelRow(row, event).kind === 'duplicate') counts.duplicateLabels++;
      else counts.labels++;
    },
  };
  const onBatch = (batch: EventBatch) => {
    counts.events += batch.count;
    reader.read(batch, sink);
    opts.onProgress?.(batch.bytesRead, totalBytes);
  };

  let columns: DecodedColumns;
  try {
    const script = opts.decodeWorker;
    columns = script === null ? decodeEventFile(opts.input, () => validators, onBatch) : await decodeInWorker(script, opts.input, onBatch);
    flush();
  } finally {
    closeSync(fd);
  }

  const specHash = featureSpecHash();
  const { events, ...source } = counts;
  const header: Omit<DatasetSidecar, 'columns'> = {
    format: 'fraud-dataset/v1',
    featureNames: FEATURE_NAMES,
    specHash,
    rows: replay.rows,
    matrix: { file: MATRIX_FILE, dtype: 'float32', byteOrder: 'little', layout: 'row-major' },
    source: { file: basename(opts.input), events, ...source },
    ...(opts.scenarios == null ? {} : { scenarios: opts.scenarios.scenarios }),
  };
  const sidecarTmp = join(opts.outDir, `.${SIDECAR_FILE}.tmp`);
  writeSidecar(sidecarTmp, header, replay, columns, scenarioOf === null ? null : scenarioColumn);
  renameSync(matrixTmp, join(opts.outDir, MATRIX_FILE));
  renameSync(sidecarTmp, join(opts.outDir, SIDECAR_FILE));
  return { rows: header.rows, features: FEATURE_COUNT, specHash, events, sidecar: header, replay };
}

/**
 * Writes the sidecar: the header, then the per-row columns (in `DatasetSidecar['columns']` order):
 * those the decoding side wrote as it went, then the labels from the replay's own arrays (and the
 * scenarios, when known), never holding them as one string or as arrays of values.
 */
function writeSidecar(path: string, header: Omit<DatasetSidecar, 'columns'>, replay: OfflineReplay, columns: DecodedColumns, scenario: Uint8Array | null): void {
  const fd = openSync(path, 'w');
  try {
    const out = new JsonArrayWriter(fileSink(fd));
    const rows = header.rows;
    const head = JSON.stringify(header);
    out.text(`${head.slice(0, -1)},"columns":{"transactionId":`);
    out.bytes(columns.transactionId);
    out.text(',"timestamp":');
    out.bytes(columns.timestamp);
    out.text(',"userId":');
    out.bytes(columns.userId);
    out.text(',"merchantId":');
    out.bytes(columns.merchantId);
    out.text(',"label":');
    out.numbers(replay.finalLabels(), rows);
    // NaN (never labeled) is written null.
    out.text(',"labelKnownAt":');
    out.numbers(replay.labelKnownAt(), rows);
    if (scenario !== null) {
      out.text(',"scenario":');
      out.numbers(scenario, rows);
    }
    out.text('}}\n');
    out.flush();
  } finally {
    closeSync(fd);
  }
}
