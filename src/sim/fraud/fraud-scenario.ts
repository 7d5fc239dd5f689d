import type { Population } from '../population/population';
import type { RandomStream } from '../random/stream';
import type { TransactionTable } from '../transactions/transaction-table';

/** What a scenario sees while it marks frauds. */
export interface FraudContext {
  /** Time-ordered rows of the period plus the margin days all scenarios asked for. */
  readonly table: TransactionTable;
  readonly population: Population;
  /** The simulated period: days [periodStart, periodEnd). */
  readonly periodStart: number;
  readonly periodEnd: number;
  /**
   * This scenario's own stream for one day (`fraud/<id>/<day>`): day d's draws are the same
   * whatever period is simulated, and other scenarios never shift them.
   */
  stream(day: number): RandomStream;
  /** The customer's rows, ascending (= time order). */
  rowsOfCustomer(customer: number): Int32Array;
  /** The terminal's rows, ascending (= time order). */
  rowsOfTerminal(terminal: number): Int32Array;
  /** Marks a row as fraud by this scenario (a later scenario overwrites the scenario number). */
  mark(row: number): void;
}

/**
 * One fraud pattern. Scenarios are applied in list order; each may change amounts and mark rows.
 * To add one (e.g. card testing), implement this and append it to the scenario list: existing
 * scenarios keep their draws because every scenario owns its streams.
 */
export interface FraudScenario {
  /** Scenario number written to `table.scenario` and reported in the summary; 1 .. 255, unique. */
  readonly id: number;
  readonly name: string;
  /**
   * Days of transactions before and after the period this rule reads, so that its marks inside
   * the period do not depend on where the period starts or ends (0 for per-row rules).
   */
  readonly marginDays: number;
  /** True when the scenario changes rows' times (the table is re-sorted after all scenarios). */
  readonly movesRows?: boolean;
  apply(ctx: FraudContext): void;
}
