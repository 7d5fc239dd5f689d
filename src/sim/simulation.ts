import { applyFraudScenarios, marginDays } from './fraud/apply-fraud';
import { BOOK_SCENARIOS } from './fraud/book-scenarios';
import type { FraudScenario } from './fraud/fraud-scenario';
import { buildFraudLabels, type FraudLabels } from './labels/fraud-labels';
import { createLabelDelay } from './labels/label-delay';
import { resolveOptions, startEpochSeconds, type SimulationOptions } from './options';
import { createPopulation, type Population } from './population/population';
import { generateTransactions } from './transactions/generate-transactions';
import { timeOrder } from './transactions/time-order';
import { SECONDS_PER_DAY } from './transactions/transaction-rules';
import { permuteRows, sliceRows, type TransactionTable } from './transactions/transaction-table';

/** A simulated period of a seeded world, ready to summarise or write. */
export interface SimulationResult {
  readonly options: Readonly<SimulationOptions>;
  readonly scenarios: readonly FraudScenario[];
  readonly population: Population;
  /** The period's transactions (days startDay .. startDay + days - 1) in time order. */
  readonly table: TransactionTable;
  /** Global index of `table` row 0 in the world (transactions of earlier days come first). */
  readonly firstIndex: number;
  /** Epoch seconds of day 0, 00:00:00 UTC. */
  readonly startEpochSeconds: number;
  readonly labels: FraudLabels;
}

/** Epoch seconds of a row of `r.table`. */
export function transactionTime(r: Pick<SimulationResult, 'table' | 'startEpochSeconds'>, row: number): number {
  return r.startEpochSeconds + (r.table.day[row] as number) * SECONDS_PER_DAY + (r.table.second[row] as number);
}

function firstRowOfDay(table: TransactionTable, day: number): number {
  let lo = 0;
  let hi = table.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((table.day[mid] as number) < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Simulates days [startDay, startDay + days) of the world defined by the options (defaults: the
 * handbook's data set, see {@link DEFAULT_OPTIONS}) with the given fraud scenarios (default: the
 * handbook's three). Pure: the same options and scenarios always give the same result, and a day's
 * transactions, frauds and labels are the same whichever period containing it is simulated
 * (transaction indices are global: they count every earlier day of the world). Rows within the
 * scenarios' margins around the period are generated for the fraud rules and then dropped.
 * Throws a RangeError for invalid options (see `resolveOptions`) or scenario ids.
 */
export function simulate(partial: Partial<SimulationOptions> = {}, scenarios: readonly FraudScenario[] = BOOK_SCENARIOS): SimulationResult {
  const options = resolveOptions(partial);
  const start = startEpochSeconds(options.startDate);
  const population = createPopulation(options);
  const periodStart = options.startDay;
  const periodEnd = options.startDay + options.days;
  const margin = marginDays(scenarios);
  const generated = generateTransactions(population, options.seed, Math.max(0, periodStart - margin), periodEnd + margin);
  const sorted = permuteRows(generated.table, timeOrder(generated.table));
  applyFraudScenarios({ seed: options.seed, table: sorted, population, periodStart, periodEnd }, scenarios);
  const working = scenarios.some((s) => s.movesRows === true) ? permuteRows(sorted, timeOrder(sorted)) : sorted;
  const lo = firstRowOfDay(working, periodStart);
  const table = sliceRows(working, lo, firstRowOfDay(working, periodEnd));
  const firstIndex = generated.countBefore + lo;
  const time = (row: number): number => transactionTime({ table, startEpochSeconds: start }, row);
  const labels = buildFraudLabels(table, firstIndex, time, createLabelDelay(options.labelDelayModel, options.seed));
  return { options, scenarios, population, table, firstIndex, startEpochSeconds: start, labels };
}
