import { statSync } from 'node:fs';
import { OnnxModel } from '../model/onnx-model';
import type { ModelRegistry } from '../model/registry/model-registry';
import { decide, type Thresholds } from '../records/decide';
import { loadDataset } from '../training/dataset/load-dataset';
import { dayStart, gatherRows, HANDBOOK_SPLIT, type TimeWindow } from '../training/protocol/time-split';
import { BacktestInputError, type BacktestRow } from './backtest';
import { datasetStreamPath, forEachDatasetTransaction } from './backtest-dataset-stream';

const DAY = 86_400;

export interface DatasetBacktestOptions {
  /** A directory `fraudctl build-dataset` wrote. */
  readonly dir: string;
  /** The event stream it was built from; default: found beside it (see `datasetStreamPath`). */
  readonly events?: string | undefined;
  /** Where the champion is. */
  readonly registry: ModelRegistry;
  /** Rows with event time in this window; null: the champion's test window (see {@link datasetBacktestRows}). */
  readonly window: TimeWindow | null;
  /** The running feature spec's hash: the dataset's and the champion's must be it. */
  readonly specHash: string;
  /** Called with (bytes, total bytes) of the stream read so far. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Where a dataset backtest's rows came from. */
export interface DatasetBacktestSource {
  readonly kind: 'dataset';
  readonly dataset: string;
  readonly events: string;
  /** The champion that scored the rows, and the thresholds its decisions come from. */
  readonly model: string;
  readonly thresholds: Thresholds;
  /** [from, to) of event time, ISO 8601; null = unbounded on that side. */
  readonly window: { readonly from: string | null; readonly to: string | null };
  /** Why that window: given by --since/--until, the champion's test window, or the handbook's test week. */
  readonly windowOf: 'options' | 'champion test window' | 'handbook test week';
}

/** The champion's held-out test days as a window (model.json's days are inclusive), or the handbook's test week. */
function testWindow(windows: { test?: { from: string; to: string } } | undefined): { window: TimeWindow; of: DatasetBacktestSource['windowOf'] } {
  const test = windows?.test;
  if (test !== undefined) return { window: { from: dayStart(test.from), to: dayStart(test.to) + DAY }, of: 'champion test window' };
  const from = dayStart(HANDBOOK_SPLIT.trainStart) + (HANDBOOK_SPLIT.trainDays + HANDBOOK_SPLIT.delayDays) * DAY;
  return { window: { from, to: from + HANDBOOK_SPLIT.testDays * DAY }, of: 'handbook test week' };
}

const iso = (epochSeconds: number): string | null => (Number.isFinite(epochSeconds) ? new Date(epochSeconds * 1000).toISOString() : null);

/**
 * Calls `onRow` for every dataset row with event time in the window, in row order: the
 * transaction from the stream, the row's features, the champion's score (onnxruntime) and decision
 * (its thresholds; nothing degraded), which is also the baseline, and the row's label (fraud = 1;
 * unlabelled = never labeled in the stream). The default window is the champion's own test window
 * (its scores there are out of sample), else the handbook's test week. Throws
 * {@link BacktestInputError} for no champion, a dataset or model of another feature spec, a window
 * without rows, or a stream that is not the dataset's.
 */
export async function datasetBacktestRows(opts: DatasetBacktestOptions, onRow: (row: BacktestRow) => void): Promise<DatasetBacktestSource> {
  const dataset = loadDataset(opts.dir);
  const { sidecar, matrix } = dataset;
  if (sidecar.specHash !== opts.specHash) throw new BacktestInputError(`${opts.dir} was built with another feature spec (${sidecar.specHash}); rebuild it with this version's build-dataset`);
  const events = datasetStreamPath(opts.dir, sidecar, opts.events);
  const champion = opts.registry.champion();
  if (champion === null) throw new BacktestInputError(`no champion in ${opts.registry.root} (--registry or MODEL_REGISTRY_DIR)`);
  const { window, of } = opts.window === null ? testWindow(champion.metadata.windows) : { window: opts.window, of: 'options' as const };
  const times = sidecar.columns.timestamp;
  const selected: number[] = [];
  for (let r = 0; r < times.length; r++) if ((times[r] as number) >= window.from && (times[r] as number) < window.to) selected.push(r);
  if (selected.length === 0) throw new BacktestInputError(`${opts.dir} holds no transactions in [${iso(window.from) ?? '-∞'}, ${iso(window.to) ?? '∞'})`);
  const rows = Uint32Array.from(selected);
  const cols = sidecar.featureNames.length;
  let model: OnnxModel;
  try {
    model = await OnnxModel.load(champion.dir, champion.metadata, { expectedSpecHash: opts.specHash, threads: 2 });
  } catch (err) {
    throw new BacktestInputError(`champion ${champion.metadata.version}: ${(err as Error).message}`);
  }
  let scores: Float32Array;
  try {
    scores = await model.scoreBatch(gatherRows(matrix, cols, rows), rows.length);
  } finally {
    await model.close();
  }
  // Position of each selected row in `scores`, -1 for the others.
  const position = new Int32Array(sidecar.rows).fill(-1);
  rows.forEach((r, i) => (position[r] = i));
  const thresholds = champion.metadata.thresholds;
  const { label, labelKnownAt } = sidecar.columns;
  const total = statSync(events).size;
  forEachDatasetTransaction(
    events,
    sidecar,
    (row, txn) => {
      const i = position[row] as number;
      if (i < 0) return;
      const score = scores[i] as number;
      const decision = decide(score, thresholds);
      onRow({
        input: { txn, features: matrix.subarray(row * cols, (row + 1) * cols), score, decision, degraded: false },
        baseline: decision,
        fraud: label[row] === 1,
        labelled: labelKnownAt[row] !== null,
      });
    },
    (n) => opts.onProgress?.(n, total),
  );
  return {
    kind: 'dataset',
    dataset: opts.dir,
    events,
    model: champion.metadata.version,
    thresholds: { challenge: thresholds.challenge, decline: thresholds.decline },
    window: { from: iso(window.from), to: iso(window.to) },
    windowOf: of,
  };
}
