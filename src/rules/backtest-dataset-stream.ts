import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Transaction } from '../../features';
import { BacktestInputError } from './backtest';
import type { DatasetSidecar } from '../training/dataset/dataset-format';
import { EventLineDecoder, type DecodedEvent } from '../training/dataset/event-line-decoder';
import { forEachLine } from '../training/dataset/ndjson-lines';

/**
 * The stream a dataset was built from: `given` when set, else the file its sidecar names
 * (`source.file`, a base name) beside the dataset directory, then inside it (`build-dataset --in
 * data/sim/events.ndjson --out data/sim/dataset` leaves them side by side). Throws
 * {@link BacktestInputError} when none exists.
 */
export function datasetStreamPath(dir: string, sidecar: Pick<DatasetSidecar, 'source'>, given: string | undefined): string {
  if (given !== undefined) {
    if (!existsSync(given)) throw new BacktestInputError(`no event stream at ${given}`);
    return given;
  }
  const candidates = [join(dirname(resolve(dir)), sidecar.source.file), join(dir, sidecar.source.file)];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new BacktestInputError(
      `the transactions' fields (merchant, category, country, amount, ...) come from the stream the dataset was built from, ` +
        `${sidecar.source.file}, which is not beside ${dir}: pass --events FILE`,
    );
  }
  return found;
}

/**
 * Calls `onRow(row, txn)` for each of a dataset's rows, in row order, with the transaction of the
 * stream that row was built from. `build-dataset` makes a row of every transaction of the stream,
 * in order, but the second of a repeated transactionId; so the stream's transactions line up with
 * `ids` (the sidecar's transactionId column) once repeats are skipped. Lines are decoded as
 * `build-dataset` decodes them (the fast decoder, else `JSON.parse`; the stream was validated when
 * the dataset was built). Throws {@link BacktestInputError} when the stream does not hold exactly
 * the dataset's rows (another or a changed file), or a line is not JSON.
 */
export function forEachDatasetTransaction(
  path: string,
  sidecar: Pick<DatasetSidecar, 'columns' | 'rows' | 'source'>,
  onRow: (row: number, txn: Transaction) => void,
  onProgress: (bytesRead: number) => void = () => undefined,
): void {
  const ids = sidecar.columns.transactionId;
  const decoder = new EventLineDecoder();
  let row = 0;
  let repeated = 0;
  forEachLine(
    path,
    (bytes, text, start, end, lineNumber) => {
      const event = decoder.decode(bytes, text, start, end) ?? parse(bytes.toString('utf8', start, end), path, lineNumber);
      if (event.type !== 'transaction') return;
      if (row < ids.length && event.transactionId === ids[row]) onRow(row++, event);
      else repeated++;
    },
    onProgress,
  );
  if (row !== sidecar.rows || repeated !== sidecar.source.duplicateTransactions) {
    throw new BacktestInputError(
      `${path} does not hold the dataset's transactions: ${row} of its ${sidecar.rows} rows found in order, ` +
        `${repeated} other transactions (the dataset was built from ${sidecar.source.duplicateTransactions} repeats): pass the stream it was built from with --events`,
    );
  }
}

function parse(line: string, path: string, lineNumber: number): DecodedEvent {
  try {
    return JSON.parse(line) as DecodedEvent;
  } catch {
    throw new BacktestInputError(`${path}: line ${lineNumber} is not valid JSON`);
  }
}
