import { parseRfc3339 } from '../../features';

/** How fraud labels are delayed after their transaction (see `labels/label-delay.ts`). */
export type LabelDelayModel = 'fixed' | 'chargeback';

/** Closed set of {@link LabelDelayModel} values, for option parsing. */
export const LABEL_DELAY_MODELS: readonly LabelDelayModel[] = ['fixed', 'chargeback'];

/** Everything that defines a simulated world and the period drawn from it. */
export interface SimulationOptions {
  /** Seed of every random stream; any safe integer. */
  readonly seed: number;
  readonly customers: number;
  readonly terminals: number;
  /** Number of simulated days in the period. */
  readonly days: number;
  /** First simulated day, counted from `startDate` (day 0 of the world); default 0. */
  readonly startDay: number;
  /** UTC calendar date of day 0, `YYYY-MM-DD`. */
  readonly startDate: string;
  /** A customer uses the terminals at Euclidean distance strictly below this (grid units). */
  readonly radius: number;
  readonly labelDelayModel: LabelDelayModel;
}

/**
 * The seed whose default world lands within ±5% of the handbook's data set on transaction count,
 * fraud count, fraud rate and each scenario's share (asserted by the default-run statistics test).
 */
export const DEFAULT_SEED = 0;

/** The handbook's generator settings (Le Borgne et al., "Reproducible ML for Credit Card Fraud Detection"). */
export const DEFAULT_OPTIONS: Readonly<SimulationOptions> = Object.freeze({
  seed: DEFAULT_SEED,
  customers: 5000,
  terminals: 10_000,
  days: 183,
  startDay: 0,
  startDate: '2018-04-01',
  radius: 5,
  labelDelayModel: 'fixed',
});

/**
 * Epoch seconds of 00:00:00 UTC on `date` (`YYYY-MM-DD`). Throws a RangeError for anything else,
 * including impossible dates.
 */
export function startEpochSeconds(date: string): number {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(date) ? parseRfc3339(`${date}T00:00:00Z`) : null;
  if (parsed === null) throw new RangeError(`start date must be a valid YYYY-MM-DD date, got "${date}"`);
  return parsed.epochSeconds;
}

/**
 * The defaults overridden by `partial`, checked: counts and days are integers (customers,
 * terminals, days >= 1; startDay >= 0), the radius is positive, the date valid. Throws a
 * RangeError naming the first bad option.
 */
export function resolveOptions(partial: Partial<SimulationOptions> = {}): Readonly<SimulationOptions> {
  const o: SimulationOptions = { ...DEFAULT_OPTIONS, ...partial };
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be a safe integer, got ${o.seed}`);
  for (const [name, value, min] of [['customers', o.customers, 1], ['terminals', o.terminals, 1], ['days', o.days, 1], ['startDay', o.startDay, 0]] as const) {
    if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
  if (!(o.radius > 0 && Number.isFinite(o.radius))) throw new RangeError(`radius must be a positive number, got ${o.radius}`);
  if (!LABEL_DELAY_MODELS.includes(o.labelDelayModel)) throw new RangeError(`unknown label delay model ${String(o.labelDelayModel)}`);
  startEpochSeconds(o.startDate);
  return Object.freeze(o);
}
