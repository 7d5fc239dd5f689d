import { SECONDS_PER_DAY } from './transaction-rules';
import type { TransactionTable } from './transaction-table';

// Hoisted once: a global lookup per row is slow inside vm contexts (jest).
const { max, min } = Math;

function countingSortStable(order: Int32Array, key: Int32Array, keyMin: number, keyCount: number): Int32Array {
  const start = new Int32Array(keyCount + 1);
  for (let i = 0; i < order.length; i += 1) {
    const k = (key[order[i] as number] as number) - keyMin + 1;
    start[k] = (start[k] as number) + 1;
  }
  for (let k = 0; k < keyCount; k += 1) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
  const out = new Int32Array(order.length);
  for (let i = 0; i < order.length; i += 1) {
    const r = order[i] as number;
    const k = (key[r] as number) - keyMin;
    const at = start[k] as number;
    out[at] = r;
    start[k] = at + 1;
  }
  return out;
}

/**
 * The row permutation that puts `table` in time order: by (day, second), ties kept in row order
 * (which the generator makes customer order, then the customer's own order). Two stable
 * counting-sort passes, O(n + 86400 + days).
 */
export function timeOrder(table: TransactionTable): Int32Array {
  let order: Int32Array = new Int32Array(table.length);
  let minDay = Infinity;
  let maxDay = -Infinity;
  for (let i = 0; i < table.length; i += 1) {
    order[i] = i;
    minDay = min(minDay, table.day[i] as number);
    maxDay = max(maxDay, table.day[i] as number);
  }
  if (table.length === 0) return order;
  order = countingSortStable(order, table.second, 0, SECONDS_PER_DAY);
  return countingSortStable(order, table.day, minDay, maxDay - minDay + 1);
}
