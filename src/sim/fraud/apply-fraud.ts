import { groupByKey, listOf, type Csr } from '../population/csr';
import type { Population } from '../population/population';
import { createStream } from '../random/stream';
import type { TransactionTable } from '../transactions/transaction-table';
import type { FraudContext, FraudScenario } from './fraud-scenario';

/** Where the scenarios run. */
export interface FraudRun {
  readonly seed: number;
  /** Time-ordered; its `fraud`, `scenario` and `amountMinor` columns are updated in place. */
  readonly table: TransactionTable;
  readonly population: Population;
  readonly periodStart: number;
  readonly periodEnd: number;
}

/**
 * Applies `scenarios` in order to `run.table`. Throws a RangeError on a duplicate or
 * out-of-range (1 .. 255) scenario id.
 */
export function applyFraudScenarios(run: FraudRun, scenarios: readonly FraudScenario[]): void {
  const ids = new Set<number>();
  for (const s of scenarios) {
    if (!Number.isInteger(s.id) || s.id < 1 || s.id > 255 || ids.has(s.id)) throw new RangeError(`bad or duplicate fraud scenario id ${s.id}`);
    ids.add(s.id);
  }
  const { table, population } = run;
  let byCustomer: Csr | undefined;
  let byTerminal: Csr | undefined;
  for (const scenario of scenarios) {
    const ctx: FraudContext = {
      table,
      population,
      periodStart: run.periodStart,
      periodEnd: run.periodEnd,
      stream: (day) => createStream(run.seed, 'fraud', scenario.id, day),
      rowsOfCustomer: (c) => listOf((byCustomer ??= groupByKey(table.customer, population.customers.count)), c),
      rowsOfTerminal: (t) => listOf((byTerminal ??= groupByKey(table.terminal, population.terminals.count)), t),
      mark: (row) => {
        table.fraud[row] = 1;
        table.scenario[row] = scenario.id;
      },
    };
    scenario.apply(ctx);
  }
}

/** The largest margin any of `scenarios` asks for (days). */
export function marginDays(scenarios: readonly FraudScenario[]): number {
  return scenarios.reduce((m, s) => Math.max(m, s.marginDays), 0);
}
