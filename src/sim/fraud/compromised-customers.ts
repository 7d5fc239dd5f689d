import { sampleWithoutReplacement } from '../random/distributions';
import type { FraudScenario } from './fraud-scenario';

/** Scenario parameters. */
export interface CompromisedCustomersParams {
  readonly id: number;
  /** Distinct customers compromised each day. */
  readonly perDay: number;
  /** A compromise on day d concerns the customers' transactions of days d .. d + windowDays - 1. */
  readonly windowDays: number;
  /** floor(count / divisor) of those transactions become fraud. */
  readonly divisor: number;
  /** Fraud amounts are the original amount times this integer (exact on cents). */
  readonly amountFactor: number;
}

/**
 * The handbook's scenario 3 (leaked card credentials, card-not-present fraud): each day `perDay`
 * distinct customers are compromised; of their transactions (together) in the window, a random
 * floor(count / divisor), sampled without replacement, get amount × factor and are fraud. The
 * day's stream draws the customers, then the sample. Because the sample depends on the whole
 * window, the scenario asks for `windowDays - 1` margin days on both sides of the period.
 */
export function compromisedCustomersScenario(p: CompromisedCustomersParams): FraudScenario {
  return {
    id: p.id,
    name: 'compromised-customers',
    marginDays: p.windowDays - 1,
    apply(ctx) {
      const count = ctx.population.customers.count;
      const { day, amountMinor } = ctx.table;
      for (let d = Math.max(0, ctx.periodStart - p.windowDays + 1); d < ctx.periodEnd; d += 1) {
        const s = ctx.stream(d);
        const last = d + p.windowDays - 1;
        const rows: number[] = [];
        for (const customer of sampleWithoutReplacement(s, count, Math.min(p.perDay, count))) {
          for (const row of ctx.rowsOfCustomer(customer)) {
            const rowDay = day[row] as number;
            if (rowDay >= d && rowDay <= last) rows.push(row);
          }
        }
        rows.sort((a, b) => a - b);
        for (const i of sampleWithoutReplacement(s, rows.length, Math.floor(rows.length / p.divisor))) {
          const row = rows[i] as number;
          amountMinor[row] = (amountMinor[row] as number) * p.amountFactor;
          ctx.mark(row);
        }
      }
    },
  };
}
