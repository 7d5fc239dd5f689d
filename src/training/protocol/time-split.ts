import type { DatasetSidecar } from '../dataset/dataset-format';

const DAY = 86_400;

/** A half-open window of event time, [from, to) in epoch seconds. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/** Rows of a dataset chosen for one training run, all in arrival (= row) order. */
export interface TimeSplit {
  readonly train: TimeWindow;
  readonly validation: TimeWindow;
  readonly delay: TimeWindow;
  readonly test: TimeWindow;
  /** Labels known at this moment are the only ones training sees: the start of the test period. */
  readonly labelCutoff: number;
  readonly trainRows: Uint32Array;
  readonly validationRows: Uint32Array;
  readonly testRows: Uint32Array;
  /** Test rows dropped because their card was known to be compromised before their test day. */
  readonly removedKnownCompromised: number;
}

export interface SplitOptions {
  /** First day of the training period, `YYYY-MM-DD` (UTC). */
  readonly trainStart: string;
  readonly trainDays: number;
  readonly delayDays: number;
  readonly testDays: number;
  /** Validation is the `validationDays` days right before training (before the delay, never the test). */
  readonly validationDays: number;
}

/** The handbook's protocol: train 2018-07-25..31, 7-day delay, test 2018-08-08..14. */
export const HANDBOOK_SPLIT: SplitOptions = { trainStart: '2018-07-25', trainDays: 7, delayDays: 7, testDays: 7, validationDays: 7 };

/** Epoch seconds of a `YYYY-MM-DD` UTC midnight. Throws a RangeError on anything else. */
export function dayStart(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

/** `YYYY-MM-DD` of epoch seconds (UTC). */
export function isoDay(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

function rowsIn(times: readonly number[], w: TimeWindow): number[] {
  const out: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    if (t >= w.from && t < w.to) out.push(i);
  }
  return out;
}

/**
 * Splits a dataset by event time. Test rows follow the handbook: on each test day, transactions of
 * cards (users) already known to be compromised — a fraud label known (`labelKnownAt`) before that
 * day's start, on a transaction made since the training period began — are removed, since a real
 * system would already have blocked the card. Throws a RangeError if a window holds no rows.
 */
export function timeSplit(sidecar: Pick<DatasetSidecar, 'columns'>, opts: SplitOptions): TimeSplit {
  const { timestamp: times, label, labelKnownAt, userId } = sidecar.columns;
  const trainFrom = dayStart(opts.trainStart);
  const train = { from: trainFrom, to: trainFrom + opts.trainDays * DAY };
  const validation = { from: trainFrom - opts.validationDays * DAY, to: trainFrom };
  const delay = { from: train.to, to: train.to + opts.delayDays * DAY };
  const test = { from: delay.to, to: delay.to + opts.testDays * DAY };
  const trainRows = rowsIn(times, train);
  const validationRows = rowsIn(times, validation);
  const candidateTest = rowsIn(times, test);
  for (const [name, rows] of [
    ['training', trainRows],
    ['validation', validationRows],
    ['test', candidateTest],
  ] as const) {
    if (rows.length === 0) throw new RangeError(`the ${name} window holds no transactions`);
  }
  // Frauds from the training period on, with their card and the moment they became known, sorted
  // by that moment. As in the handbook, older compromises do not count: cards get reissued.
  const known: { at: number; time: number; user: string }[] = [];
  for (let i = 0; i < times.length; i++) {
    const at = labelKnownAt[i];
    const time = times[i] as number;
    if (label[i] === 1 && at !== null && at !== undefined && at < test.to && time >= train.from) known.push({ at, time, user: userId[i] as string });
  }
  known.sort((a, b) => a.at - b.at);
  const compromised = new Set<string>();
  let k = 0;
  const testRows: number[] = [];
  let removed = 0;
  let currentDay = Number.NEGATIVE_INFINITY;
  for (const row of candidateTest) {
    const day = Math.floor((times[row] as number) / DAY) * DAY;
    if (day !== currentDay) {
      currentDay = day;
      for (; k < known.length && (known[k] as { at: number }).at < day; k++) {
        const f = known[k] as { time: number; user: string };
        if (f.time < day) compromised.add(f.user);
      }
    }
    if (compromised.has(userId[row] as string)) removed++;
    else testRows.push(row);
  }
  return {
    train,
    validation,
    delay,
    test,
    labelCutoff: test.from,
    trainRows: Uint32Array.from(trainRows),
    validationRows: Uint32Array.from(validationRows),
    testRows: Uint32Array.from(testRows),
    removedKnownCompromised: removed,
  };
}

/**
 * Labels for training rows as known at `cutoff`: 1 only when the row's fraud label had arrived by
 * then (`labelKnownAt <= cutoff`); otherwise 0, as a bank would treat it at that moment.
 */
export function labelsKnownAt(sidecar: Pick<DatasetSidecar, 'columns'>, rows: Uint32Array, cutoff: number): Float32Array {
  const out = new Float32Array(rows.length);
  const { label, labelKnownAt } = sidecar.columns;
  rows.forEach((r, i) => {
    const at = labelKnownAt[r];
    out[i] = label[r] === 1 && at !== null && at !== undefined && at <= cutoff ? 1 : 0;
  });
  return out;
}

/** Ground-truth labels of rows (for evaluation). */
export function trueLabels(sidecar: Pick<DatasetSidecar, 'columns'>, rows: Uint32Array): Uint8Array {
  return Uint8Array.from(rows, (r) => sidecar.columns.label[r] as number);
}

/** Copies the given rows of a row-major matrix into a new contiguous matrix. */
export function gatherRows(matrix: Float32Array, cols: number, rows: Uint32Array): Float32Array {
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => out.set(matrix.subarray(r * cols, (r + 1) * cols), i * cols));
  return out;
}

/**
 * The handbook's prequential folds: the base split shifted back by `fold` × testDays, for
 * fold = 0..folds-1 (fold 0 is the base split itself).
 */
export function prequentialOptions(base: SplitOptions, folds: number): SplitOptions[] {
  return Array.from({ length: folds }, (_, fold) => ({ ...base, trainStart: isoDay(dayStart(base.trainStart) - fold * base.testDays * DAY) }));
}
