import { sampleWithoutReplacement } from '../random/distributions';
import { SECONDS_PER_DAY } from '../transactions/transaction-rules';
import type { FraudScenario } from './fraud-scenario';

/** Scenario parameters. */
export interface MerchantWaveParams {
  readonly id: number;
  /** The world day on which the wave starts (its merchants are compromised at 00:00 UTC). */
  readonly startDay: number;
  /** Days the compromised merchants keep taking stolen-card payments. */
  readonly days: number;
  /** How many merchants are compromised, all on `startDay`. */
  readonly merchants: number;
  /** Stolen-card payments per compromised merchant per day. */
  readonly perMerchantPerDay: number;
  /** Payment amounts in cents, uniform integer in [min, max]. */
  readonly amountMinor: readonly [number, number];
  /** A stolen card's payment is one of the card's own transactions of the next `lookaheadDays` days, moved to the wave. */
  readonly lookaheadDays: number;
}

/** The defaults used by `fraudctl simulate --merchant-wave DAY` and `fraudctl loop`. */
export const MERCHANT_WAVE_DEFAULTS: Omit<MerchantWaveParams, 'startDay'> = {
  id: 5,
  days: 7,
  merchants: 6,
  perMerchantPerDay: 20,
  amountMinor: [1_500, 15_000],
  lookaheadDays: 7,
};

/** Cards tried for one stolen-card payment before it is skipped. */
const CARD_TRIES = 5;

/**
 * A merchant-compromise wave (a fifth scenario, not in the handbook): on `startDay`, `merchants`
 * merchants drawn at random start taking payments with stolen cards, `perMerchantPerDay` a day
 * each at any time of day, for `days` days, until the fraud is shut down. Each payment is the card
 * of a random customer, through the merchant's own channel, for 15 - 150 EUR by default: amounts a
 * card pays every day, far below the 220 EUR of scenario 1, so a model that does not know the
 * merchant is compromised sees little more than a card new to that merchant and a busier merchant.
 * Like card testing, a payment is the card's own next
 * transaction (within `lookaheadDays` and the simulated period) moved to the wave, so the table
 * is re-sorted afterwards (`movesRows`) and transaction ids stay unique. Draws come from the
 * scenario's stream of each wave day; nothing happens when the wave lies outside the period.
 */
export function merchantWaveScenario(p: MerchantWaveParams): FraudScenario {
  return {
    id: p.id,
    name: 'merchant-wave',
    marginDays: 0,
    movesRows: true,
    apply(ctx) {
      const { table, population } = ctx;
      const channels = population.terminalContext.channel;
      const picked = sampleWithoutReplacement(ctx.stream(p.startDay), channels.length, Math.min(p.merchants, channels.length));
      const customers = population.customers.count;
      const taken = new Uint8Array(table.length);
      const from = Math.max(p.startDay, ctx.periodStart);
      const to = Math.min(p.startDay + p.days, ctx.periodEnd);
      for (let d = from; d < to; d += 1) {
        const s = ctx.stream(d + 1);
        const until = Math.min(d + p.lookaheadDays, ctx.periodEnd);
        for (const merchant of picked) {
          for (let n = 0; n < p.perMerchantPerDay; n += 1) {
            // A card with no transaction left to take over is passed for another (a few tries).
            let row = -1;
            for (let tries = 0; row < 0 && tries < CARD_TRIES; tries++) {
              for (const r of ctx.rowsOfCustomer(s.int(customers))) {
                const day = table.day[r] as number;
                if (day >= d && day < until && taken[r] === 0 && table.fraud[r] === 0) {
                  row = r;
                  break;
                }
              }
            }
            const second = s.int(SECONDS_PER_DAY);
            const amount = p.amountMinor[0] + s.int(p.amountMinor[1] - p.amountMinor[0] + 1);
            if (row < 0) continue;
            taken[row] = 1;
            table.day[row] = d;
            table.second[row] = second;
            table.terminal[row] = merchant;
            table.channel[row] = channels[merchant] as number;
            table.amountMinor[row] = amount;
            ctx.mark(row);
          }
        }
      }
    },
  };
}
