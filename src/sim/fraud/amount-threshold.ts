import type { FraudScenario } from './fraud-scenario';

/** Scenario parameters. */
export interface AmountThresholdParams {
  readonly id: number;
  /** Strictly above this many cents is fraud. */
  readonly thresholdMinor: number;
}

/**
 * The handbook's scenario 1: every transaction whose amount is above the threshold (220.00 EUR)
 * is fraud. A baseline any model must catch. Draws nothing.
 */
export function amountThresholdScenario(p: AmountThresholdParams): FraudScenario {
  return {
    id: p.id,
    name: 'amount-threshold',
    marginDays: 0,
    apply(ctx) {
      const { amountMinor } = ctx.table;
      for (let row = 0; row < ctx.table.length; row += 1) {
        if ((amountMinor[row] as number) > p.thresholdMinor) ctx.mark(row);
      }
    },
  };
}
