import { transactionTime, type SimulationResult } from '../simulation';

/** A position in the arrival-ordered stream: a period table row or a label index. */
export type ArrivalItem = { readonly kind: 'transaction'; readonly row: number } | { readonly kind: 'label'; readonly label: number };

/**
 * The period's transactions and labels in arrival order: a transaction arrives at its timestamp,
 * a label at its reportedAt; on equal times transactions come before labels, and each kind keeps
 * its own order (transactions by index, labels by transaction index). Labels after the last
 * transaction follow it. Lazily yields `table.length + labels.length` items.
 */
export function* arrivalOrder(r: Pick<SimulationResult, 'table' | 'startEpochSeconds' | 'labels'>): Generator<ArrivalItem> {
  const { labels } = r;
  let next = 0;
  for (let row = 0; row < r.table.length; row += 1) {
    const t = transactionTime(r, row);
    while (next < labels.length && (labels.reportedAt[next] as number) < t) yield { kind: 'label', label: next++ };
    yield { kind: 'transaction', row };
  }
  while (next < labels.length) yield { kind: 'label', label: next++ };
}
