import { BOOK_SCENARIOS } from './book-scenarios';
import { CARD_TESTING_DEFAULTS, cardTestingScenario } from './card-testing';
import type { FraudScenario } from './fraud-scenario';
import { MERCHANT_WAVE_DEFAULTS, merchantWaveScenario } from './merchant-wave';

/**
 * The handbook's three scenarios, then card testing with `cardTestingPerDay` cards a day (none at
 * 0) and the merchant-compromise wave from world day `waveStartDay` (none when null), each with
 * its defaults: what `fraudctl simulate` and `fraudctl loop` generate.
 */
export function scenarioSet(cardTestingPerDay: number, waveStartDay: number | null): FraudScenario[] {
  const scenarios: FraudScenario[] = [...BOOK_SCENARIOS];
  if (cardTestingPerDay > 0) scenarios.push(cardTestingScenario({ ...CARD_TESTING_DEFAULTS, perDay: cardTestingPerDay }));
  if (waveStartDay !== null) scenarios.push(merchantWaveScenario({ ...MERCHANT_WAVE_DEFAULTS, startDay: waveStartDay }));
  return scenarios;
}
