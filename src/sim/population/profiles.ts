import { uniform } from '../random/distributions';
import type { RandomStream } from '../random/stream';

/** Side of the square world, in grid units: locations are U(0, 100) on each axis. */
export const WORLD_SIZE = 100;

/** The handbook's customer profile, one entry per customer index (struct of arrays). */
export interface CustomerProfiles {
  readonly count: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Mean transaction amount, EUR: U(5, 100). */
  readonly meanAmount: Float64Array;
  /** Standard deviation of the amount, EUR: meanAmount / 2. */
  readonly sdAmount: Float64Array;
  /** Mean number of transactions per day: U(0, 4). */
  readonly txPerDay: Float64Array;
}

/** Terminal (merchant) locations, one entry per terminal index. */
export interface TerminalLocations {
  readonly count: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * Draws `count` customer profiles in index order, each using 4 draws in the handbook's order:
 * x, y ~ U(0,100), mean amount ~ U(5,100), transactions per day ~ U(0,4); sd = mean / 2.
 */
export function drawCustomers(s: RandomStream, count: number): CustomerProfiles {
  const p = {
    count,
    x: new Float64Array(count),
    y: new Float64Array(count),
    meanAmount: new Float64Array(count),
    sdAmount: new Float64Array(count),
    txPerDay: new Float64Array(count),
  };
  for (let i = 0; i < count; i += 1) {
    p.x[i] = uniform(s, 0, WORLD_SIZE);
    p.y[i] = uniform(s, 0, WORLD_SIZE);
    const mean = uniform(s, 5, 100);
    p.meanAmount[i] = mean;
    p.sdAmount[i] = mean / 2;
    p.txPerDay[i] = uniform(s, 0, 4);
  }
  return p;
}

/** Draws `count` terminal locations in index order: x, y ~ U(0, 100). */
export function drawTerminals(s: RandomStream, count: number): TerminalLocations {
  const t = { count, x: new Float64Array(count), y: new Float64Array(count) };
  for (let i = 0; i < count; i += 1) {
    t.x[i] = uniform(s, 0, WORLD_SIZE);
    t.y[i] = uniform(s, 0, WORLD_SIZE);
  }
  return t;
}
