import type { TransactionTable } from '../transactions/transaction-table';
import type { LabelDelay } from './label-delay';

/** One chargeback label per fraud row, in arrival order (reportedAt, then row). */
export interface FraudLabels {
  readonly length: number;
  /** Row of the labelled transaction in the period table. */
  readonly row: Int32Array;
  /** Arrival time, epoch seconds. */
  readonly reportedAt: Float64Array;
}

/**
 * Labels for every fraud row of `table`: reportedAt = transaction time + `delay(firstIndex + row)`.
 * `txTime(row)` gives a row's epoch seconds. Legitimate rows get none; labels arriving after the
 * period are kept.
 */
export function buildFraudLabels(table: TransactionTable, firstIndex: number, txTime: (row: number) => number, delay: LabelDelay): FraudLabels {
  const rows: number[] = [];
  for (let r = 0; r < table.length; r += 1) if (table.fraud[r] === 1) rows.push(r);
  const at = new Map<number, number>();
  for (const r of rows) at.set(r, txTime(r) + delay(firstIndex + r));
  rows.sort((a, b) => (at.get(a) as number) - (at.get(b) as number) || a - b);
  return { length: rows.length, row: Int32Array.from(rows), reportedAt: Float64Array.from(rows, (r) => at.get(r) as number) };
}
