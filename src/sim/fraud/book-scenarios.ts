import { amountThresholdScenario } from './amount-threshold';
import { compromisedCustomersScenario } from './compromised-customers';
import { compromisedTerminalsScenario } from './compromised-terminals';
import type { FraudScenario } from './fraud-scenario';

/**
 * The handbook's three scenarios, in the order they are applied: (1) amount > 220 EUR;
 * (2) 2 terminals a day compromised for 28 days; (3) 3 customers a day, a third of their next
 * 14 days' transactions at 5× the amount.
 */
export const BOOK_SCENARIOS: readonly FraudScenario[] = Object.freeze([
  amountThresholdScenario({ id: 1, thresholdMinor: 22_000 }),
  compromisedTerminalsScenario({ id: 2, perDay: 2, windowDays: 28 }),
  compromisedCustomersScenario({ id: 3, perDay: 3, windowDays: 14, divisor: 3, amountFactor: 5 }),
]);
