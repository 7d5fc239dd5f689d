import { sampleWithoutReplacement } from '../random/distributions';
import type { FraudScenario } from './fraud-scenario';

/** Scenario parameters. */
export interface CompromisedTerminalsParams {
  readonly id: number;
  /** Distinct terminals compromised each day. */
  readonly perDay: number;
  /** A terminal compromised on day d stays so on days d .. d + windowDays - 1. */
  readonly windowDays: number;
}

/**
 * The handbook's scenario 2: each day `perDay` distinct terminals, drawn uniformly among all, are
 * compromised; every transaction at such a terminal during the window is fraud. Draws: the day's
 * stream picks the terminals; compromises of the `windowDays - 1` days before the period are
 * drawn too, since they reach into it (none before day 0).
 */
export function compromisedTerminalsScenario(p: CompromisedTerminalsParams): FraudScenario {
  return {
    id: p.id,
    name: 'compromised-terminals',
    marginDays: 0,
    apply(ctx) {
      const count = ctx.population.terminals.count;
      const { day } = ctx.table;
      for (let d = Math.max(0, ctx.periodStart - p.windowDays + 1); d < ctx.periodEnd; d += 1) {
        const last = d + p.windowDays - 1;
        for (const terminal of sampleWithoutReplacement(ctx.stream(d), count, Math.min(p.perDay, count))) {
          for (const row of ctx.rowsOfTerminal(terminal)) {
            const rowDay = day[row] as number;
            if (rowDay >= d && rowDay <= last) ctx.mark(row);
          }
        }
      }
    },
  };
}
