import type { FraudContext } from '../../../src/sim/fraud/fraud-scenario';
import { listOf, groupByKey } from '../../../src/sim/population/csr';
import type { Population } from '../../../src/sim/population/population';
import type { RandomStream } from '../../../src/sim/random/stream';
import { allocateTable, type TransactionTable } from '../../../src/sim/transactions/transaction-table';

/** A stream that returns scripted values: `ints` for int(n) (checked < n), `uniforms` for uniform(). */
export function scriptedStream(ints: number[], uniforms: number[] = []): RandomStream {
  return {
    int(n) {
      const v = ints.shift();
      if (v === undefined || v >= n) throw new Error(`scripted int exhausted or out of range for n=${n}`);
      return v;
    },
    uniform() {
      const v = uniforms.shift();
      if (v === undefined) throw new Error('scripted uniform exhausted');
      return v;
    },
  };
}

/** A table from rows `[day, second, customer, terminal, amountMinor]` (in the given order). */
export function tableOf(rows: readonly (readonly [number, number, number, number, number])[]): TransactionTable {
  const t = allocateTable(rows.length);
  rows.forEach(([day, second, customer, terminal, amount], i) => {
    t.day[i] = day;
    t.second[i] = second;
    t.customer[i] = customer;
    t.terminal[i] = terminal;
    t.amountMinor[i] = amount;
  });
  return t;
}

/** A population stub with only the counts the fraud scenarios read. */
export function countsOnly(customers: number, terminals: number): Population {
  return { customers: { count: customers }, terminals: { count: terminals } } as unknown as Population;
}

/** A FraudContext over `table` whose day streams come from `streamFor(day)`; records the days asked. */
export function fakeContext(
  table: TransactionTable,
  population: Population,
  period: readonly [number, number],
  streamFor: (day: number) => RandomStream,
  scenarioId: number,
): FraudContext & { readonly daysAsked: number[] } {
  const daysAsked: number[] = [];
  const byCustomer = groupByKey(table.customer, population.customers.count);
  const byTerminal = groupByKey(table.terminal, population.terminals.count);
  return {
    table,
    population,
    periodStart: period[0],
    periodEnd: period[1],
    daysAsked,
    stream(day) {
      daysAsked.push(day);
      return streamFor(day);
    },
    rowsOfCustomer: (c) => listOf(byCustomer, c),
    rowsOfTerminal: (t) => listOf(byTerminal, t),
    mark(row) {
      table.fraud[row] = 1;
      table.scenario[row] = scenarioId;
    },
  };
}
