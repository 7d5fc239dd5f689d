import { CHANNELS } from '../../../features';
import { listOf } from '../population/csr';
import { sampleWithoutReplacement } from '../random/distributions';
import { SECONDS_PER_DAY } from '../transactions/transaction-rules';
import type { FraudScenario } from './fraud-scenario';

/** Scenario parameters. */
export interface CardTestingParams {
  readonly id: number;
  /** Distinct cards (customers) hit each day. */
  readonly perDay: number;
  /** Tiny test payments per card: an integer in [min, max]. */
  readonly tests: readonly [number, number];
  /** Large payments after the tests: an integer in [min, max]. */
  readonly cashOuts: readonly [number, number];
  /** Test amounts in cents, uniform integer in [min, max]. */
  readonly testMinor: readonly [number, number];
  /** Cash-out amounts in cents, uniform integer in [min, max] (kept below scenario 1's 220 EUR). */
  readonly cashOutMinor: readonly [number, number];
  /** Days after the compromise from which the card's real transactions are taken over. */
  readonly windowDays: number;
}

/** Card testing as a fourth scenario; the defaults used by `fraudctl simulate --card-testing N`. */
export const CARD_TESTING_DEFAULTS: Omit<CardTestingParams, 'perDay'> = {
  id: 4,
  tests: [3, 6],
  cashOuts: [1, 2],
  testMinor: [50, 300],
  cashOutMinor: [9_000, 21_000],
  windowDays: 14,
};

const ECOMMERCE = CHANNELS.indexOf('ecommerce');

function intIn(draw: (n: number) => number, [lo, hi]: readonly [number, number]): number {
  return lo + draw(hi - lo + 1);
}

/**
 * Card testing (a fourth scenario, not in the handbook): each day `perDay` cards with upcoming
 * transactions are stolen. The fraudster first checks the card with a burst of tiny ecommerce
 * payments (50 c - 3 EUR, 30 s - 5 min apart) at merchants the customer never used, then cashes
 * out with one or two large ones (90 - 210 EUR, below the 220 EUR rule of scenario 1) at other new
 * merchants within the hour. The payments are the card's own next transactions (of the following
 * `windowDays` days, within the simulated period) moved to the burst: times, terminals, channel
 * and amounts change, so the table must be re-sorted afterwards (`movesRows`). All of them are
 * fraud. Unlike the handbook's scenarios, its frauds depend on where the period ends.
 */
export function cardTestingScenario(p: CardTestingParams): FraudScenario {
  return {
    id: p.id,
    name: 'card-testing',
    marginDays: 0,
    movesRows: true,
    apply(ctx) {
      const { table, population } = ctx;
      const customers = population.customers.count;
      const terminalChannels = population.terminalContext.channel;
      const ecommerce: number[] = [];
      for (let t = 0; t < terminalChannels.length; t++) if (terminalChannels[t] === ECOMMERCE) ecommerce.push(t);
      if (ecommerce.length === 0) return;
      const taken = new Uint8Array(table.length);
      for (let d = ctx.periodStart; d < ctx.periodEnd; d += 1) {
        const s = ctx.stream(d);
        const draw = (n: number) => s.int(n);
        for (const customer of sampleWithoutReplacement(s, customers, Math.min(p.perDay, customers))) {
          const usual = new Set(listOf(population.terminalsOf, customer));
          // Only the period's own rows move, so transaction ids stay unique across periods.
          const until = Math.min(d + p.windowDays, ctx.periodEnd);
          const rows = Array.from(ctx.rowsOfCustomer(customer)).filter((r) => (table.day[r] as number) >= d && (table.day[r] as number) < until && taken[r] === 0);
          const tests = intIn(draw, p.tests);
          const cashOuts = intIn(draw, p.cashOuts);
          let second = 3_600 + draw(SECONDS_PER_DAY - 4 * 3_600);
          rows.slice(0, tests + cashOuts).forEach((row, i) => {
            const isTest = i < tests;
            second += isTest ? 30 + draw(271) : 300 + draw(1_500);
            let terminal = ecommerce[draw(ecommerce.length)] as number;
            for (let tries = 0; usual.has(terminal) && tries < 10; tries++) terminal = ecommerce[draw(ecommerce.length)] as number;
            taken[row] = 1;
            table.day[row] = d;
            table.second[row] = Math.min(second, SECONDS_PER_DAY - 1);
            table.terminal[row] = terminal;
            table.channel[row] = ECOMMERCE;
            table.amountMinor[row] = intIn(draw, isTest ? p.testMinor : p.cashOutMinor);
            ctx.mark(row);
          });
        }
      }
    },
  };
}
