import { DEFAULT_OPTIONS } from '../sim';

/**
 * The simulated world the benchmark runs in: the history (days `[0, historyDays)`) seeds the
 * profile store, the load (the `loadDays` after it) is what the load generator sends. Users and
 * merchants are the world's own, so every request hits a profile with a realistic history.
 */
export interface BenchWorld {
  readonly seed: number;
  readonly customers: number;
  readonly terminals: number;
  readonly historyDays: number;
  readonly loadDays: number;
}

/**
 * The default world: the handbook's population (5,000 customers, 10,000 terminals) with 60 days
 * of history (~580k transactions, enough to fill the 30-day windows and the 7-day label delay).
 * The load period's length follows from the run's steps (see loadDaysFor).
 */
export const DEFAULT_BENCH_WORLD: Readonly<Omit<BenchWorld, 'loadDays'>> = Object.freeze({
  seed: DEFAULT_OPTIONS.seed,
  customers: DEFAULT_OPTIONS.customers,
  terminals: DEFAULT_OPTIONS.terminals,
  historyDays: 60,
});

/** Simulated transactions per customer and day in the default world (for sizing the load period). */
export const TRANSACTIONS_PER_CUSTOMER_DAY = 1.9;

/**
 * Days of load needed for `requests` distinct transactions in `world` (at least 1). When a run
 * needs more, the load source reuses the period under new ids (see LoadSource).
 */
export function loadDaysFor(world: Pick<BenchWorld, 'customers'>, requests: number): number {
  return Math.max(1, Math.ceil(requests / (world.customers * TRANSACTIONS_PER_CUSTOMER_DAY)));
}
