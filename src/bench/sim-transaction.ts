import type { Transaction } from '../../features';
import { transactionEvent, type SimulationResult } from '../sim';

/** Period row `row` of a simulation as the body a payment backend would POST (no stream `type` tag). */
export function simTransaction(r: SimulationResult, row: number): Transaction {
  const event = transactionEvent(r, row);
  if (event.type !== 'transaction') throw new Error(`row ${row} is not a transaction`);
  const { type: _type, ...txn } = event;
  return txn;
}
