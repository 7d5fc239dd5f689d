import { formatRfc3339, transactionTime, type Transaction } from '../../features';
import { simulate } from '../sim';
import type { BenchWorld } from './bench-world';
import { simTransaction } from './sim-transaction';

/** The transactions of the load period, in time order, as they will be sent. */
export interface LoadPeriod {
  readonly transactions: readonly Transaction[];
  /** Length of the period, seconds (the time shift of each reuse). */
  readonly spanSeconds: number;
}

/**
 * Simulates the `world.loadDays` days right after the history: the same population and seed, so
 * the users and merchants are those the snapshot knows, and ids and timestamps that follow it.
 */
export function loadPeriod(world: BenchWorld): LoadPeriod {
  const r = simulate({ seed: world.seed, customers: world.customers, terminals: world.terminals, startDay: world.historyDays, days: world.loadDays });
  const transactions: Transaction[] = new Array<Transaction>(r.table.length);
  for (let row = 0; row < r.table.length; row++) transactions[row] = simTransaction(r, row);
  return { transactions, spanSeconds: world.loadDays * 86_400 };
}

/**
 * Hands out request bodies (JSON text) in the period's order, each with a transactionId never
 * handed out before by this source. Past the end of the period it starts over with the
 * timestamps moved on by the period's length and `.rN` appended to the ids, so ids stay distinct
 * and event time keeps moving forward. Sources over the same period are independent cursors.
 */
export class LoadSource {
  private next = 0;

  constructor(private readonly period: LoadPeriod) {
    if (period.transactions.length === 0) throw new RangeError('the load period has no transactions');
  }

  /** The next body. */
  body(): string {
    const { transactions } = this.period;
    const round = Math.floor(this.next / transactions.length);
    const txn = transactions[this.next % transactions.length] as Transaction;
    this.next++;
    if (round === 0) return JSON.stringify(txn);
    return JSON.stringify({
      ...txn,
      transactionId: `${txn.transactionId}.r${round}`,
      timestamp: formatRfc3339(transactionTime(txn) + round * this.period.spanSeconds),
    });
  }

  /** Bodies handed out so far. */
  get used(): number {
    return this.next;
  }

  /** Bodies handed out past the end of the period (reused transactions under new ids). */
  get reused(): number {
    return Math.max(0, this.next - this.period.transactions.length);
  }
}
