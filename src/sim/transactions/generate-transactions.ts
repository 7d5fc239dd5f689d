import { CHANNELS } from '../../../features';
import { listOf } from '../population/csr';
import type { Population } from '../population/population';
import { normal, poisson } from '../random/distributions';
import { createStream } from '../random/stream';
import { createTableBuilder } from './table-builder';
import { drawAmountMinor, secondOfDay, TIME_OF_DAY_MEAN, TIME_OF_DAY_SD } from './transaction-rules';
import type { TransactionTable } from './transaction-table';

const CARD_PRESENT = CHANNELS.indexOf('card_present');
const CONTACTLESS = CHANNELS.indexOf('contactless');

/** The generated rows of days [fromDay, toDay) and how many the world had before `fromDay`. */
export interface GeneratedTransactions {
  /** In generation order (customer, then day, then the customer's order within the day). */
  readonly table: TransactionTable;
  /** Transactions on days 0 .. fromDay - 1 (drawn, not kept). */
  readonly countBefore: number;
}

/**
 * The handbook's transaction generator. Each customer with at least one terminal in range owns the
 * stream `transactions/<customer>` and, day by day from day 0: draws Poisson(txPerDay)
 * transactions; for each, a second of day (`secondOfDay`; discarded ones draw nothing more), an
 * amount (`drawAmountMinor`) and a terminal uniformly among its own. Because every customer's
 * draws run from day 0, day d is the same whatever period is asked for. The channel (the
 * terminal's, except card_present used contactless with the customer's probability) draws from a
 * separate stream `context/transactions/<customer>`. Customers without terminals make no
 * transactions. Requires 0 <= fromDay <= toDay.
 */
export function generateTransactions(population: Population, seed: number, fromDay: number, toDay: number): GeneratedTransactions {
  const { customers, terminalsOf, customerContext, terminalContext } = population;
  let expected = 0;
  for (let c = 0; c < customers.count; c += 1) expected += customers.txPerDay[c] as number;
  const builder = createTableBuilder(expected * (toDay - fromDay) * 1.05);
  let countBefore = 0;
  for (let c = 0; c < customers.count; c += 1) {
    const own = listOf(terminalsOf, c);
    if (own.length === 0) continue;
    const s = createStream(seed, 'transactions', c);
    const ctx = createStream(seed, 'context', 'transactions', c);
    const rate = customers.txPerDay[c] as number;
    const mean = customers.meanAmount[c] as number;
    const sd = customers.sdAmount[c] as number;
    const pContactless = customerContext.contactlessProbability[c] as number;
    for (let day = 0; day < toDay; day += 1) {
      const n = poisson(s, rate);
      for (let k = 0; k < n; k += 1) {
        const second = secondOfDay(normal(s, TIME_OF_DAY_MEAN, TIME_OF_DAY_SD));
        if (second < 0) continue;
        const amount = drawAmountMinor(s, mean, sd);
        const terminal = own[s.int(own.length)] as number;
        let channel = terminalContext.channel[terminal] as number;
        if (ctx.uniform() < pContactless && channel === CARD_PRESENT) channel = CONTACTLESS;
        if (day < fromDay) countBefore += 1;
        else builder.push(day, second, c, terminal, amount, channel);
      }
    }
  }
  return { table: builder.finish(), countBefore };
}
