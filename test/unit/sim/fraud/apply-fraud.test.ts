import { applyFraudScenarios, marginDays } from '../../../../src/sim/fraud/apply-fraud';
import { BOOK_SCENARIOS } from '../../../../src/sim/fraud/book-scenarios';
import type { FraudScenario } from '../../../../src/sim/fraud/fraud-scenario';
import { createStream } from '../../../../src/sim/random/stream';
import { countsOnly, tableOf } from '../fakes';

const noop = (id: number): FraudScenario => ({ id, name: `noop-${id}`, marginDays: 0, apply: () => undefined });

describe('applyFraudScenarios', () => {
  it('applies scenarios in order, a later one overwriting the scenario number', () => {
    const table = tableOf([[0, 1, 0, 0, 30_000], [0, 2, 0, 0, 100]]);
    const first: FraudScenario = { id: 1, name: 'all', marginDays: 0, apply: (ctx) => [0, 1].forEach((r) => ctx.mark(r)) };
    const second: FraudScenario = { id: 7, name: 'first-row', marginDays: 0, apply: (ctx) => ctx.mark(0) };
    applyFraudScenarios({ seed: 1, table, population: countsOnly(1, 1), periodStart: 0, periodEnd: 1 }, [first, second]);
    expect([...table.scenario]).toEqual([7, 1]);
    expect([...table.fraud]).toEqual([1, 1]);
  });

  it("gives each scenario its own per-day stream 'fraud/<id>/<day>'", () => {
    const seen: number[] = [];
    const probe: FraudScenario = { id: 4, name: 'probe', marginDays: 0, apply: (ctx) => seen.push(ctx.stream(9).uniform()) };
    applyFraudScenarios({ seed: 3, table: tableOf([]), population: countsOnly(1, 1), periodStart: 0, periodEnd: 1 }, [noop(1), probe]);
    expect(seen).toEqual([createStream(3, 'fraud', 4, 9).uniform()]);
  });

  it('rejects duplicate or out-of-range scenario ids', () => {
    const run = { seed: 1, table: tableOf([]), population: countsOnly(1, 1), periodStart: 0, periodEnd: 1 };
    expect(() => applyFraudScenarios(run, [noop(1), noop(1)])).toThrow('bad or duplicate fraud scenario id 1');
    expect(() => applyFraudScenarios(run, [noop(0)])).toThrow(RangeError);
    expect(() => applyFraudScenarios(run, [noop(256)])).toThrow(RangeError);
  });

  it("uses the handbook's scenarios 1, 2, 3 with a 13-day margin", () => {
    expect(BOOK_SCENARIOS.map((s) => [s.id, s.name])).toEqual([[1, 'amount-threshold'], [2, 'compromised-terminals'], [3, 'compromised-customers']]);
    expect(marginDays(BOOK_SCENARIOS)).toBe(13);
  });
});
