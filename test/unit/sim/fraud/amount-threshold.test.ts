import { amountThresholdScenario } from '../../../../src/sim/fraud/amount-threshold';
import { countsOnly, fakeContext, scriptedStream, tableOf } from '../fakes';

describe('scenario 1: amount threshold', () => {
  it('marks amounts strictly above 220.00 EUR, and nothing else, without drawing', () => {
    const table = tableOf([
      [0, 1, 0, 0, 22_000],
      [0, 2, 0, 0, 22_001],
      [0, 3, 0, 0, 100],
      [5, 3, 0, 0, 50_000],
    ]);
    const ctx = fakeContext(table, countsOnly(1, 1), [0, 10], () => scriptedStream([]), 1);
    amountThresholdScenario({ id: 1, thresholdMinor: 22_000 }).apply(ctx);
    expect([...table.fraud]).toEqual([0, 1, 0, 1]);
    expect([...table.scenario]).toEqual([0, 1, 0, 1]);
    expect(ctx.daysAsked).toEqual([]);
  });
});
