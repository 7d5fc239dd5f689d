import { compromisedTerminalsScenario } from '../../../../src/sim/fraud/compromised-terminals';
import { countsOnly, fakeContext, scriptedStream, tableOf } from '../fakes';

// perDay = 1: Floyd's sampler draws one int(n), which is the compromised terminal.
const scenario = compromisedTerminalsScenario({ id: 2, perDay: 1, windowDays: 28 });

describe('scenario 2: compromised terminals', () => {
  it('marks every transaction of a terminal compromised on day d during days d .. d+27, only those', () => {
    const table = tableOf([
      [2, 10, 0, 1, 100], // before the compromise
      [3, 10, 0, 1, 100], // day d
      [3, 20, 1, 2, 100], // other terminal
      [10, 10, 1, 1, 100],
      [30, 10, 2, 1, 100], // d + 27
      [31, 10, 2, 1, 100], // d + 28: out
    ]);
    // Day 3 compromises terminal 1; every other day terminal 0, which has no transactions.
    const ctx = fakeContext(table, countsOnly(3, 3), [0, 32], (day) => scriptedStream([day === 3 ? 1 : 0]), 2);
    scenario.apply(ctx);
    expect([...table.fraud]).toEqual([0, 1, 0, 1, 1, 0]);
    expect([...table.scenario]).toEqual([0, 2, 0, 2, 2, 0]);
    expect(ctx.daysAsked).toEqual(Array.from({ length: 32 }, (_, d) => d));
  });

  it('also draws the compromises of the 27 days before the period, which reach into it', () => {
    const table = tableOf([[45, 10, 0, 1, 100]]);
    const ctx = fakeContext(table, countsOnly(1, 3), [40, 50], (day) => scriptedStream([day === 18 ? 1 : 0]), 2);
    scenario.apply(ctx);
    expect(ctx.daysAsked).toEqual(Array.from({ length: 50 - 13 }, (_, i) => 13 + i));
    expect([...table.fraud]).toEqual([1]);
  });

  it('compromises distinct terminals each day (2 per day, as the handbook)', () => {
    // With 2 terminals and 2 per day both are always compromised.
    const table = tableOf([[0, 1, 0, 0, 100], [0, 2, 0, 1, 100]]);
    const two = compromisedTerminalsScenario({ id: 2, perDay: 2, windowDays: 28 });
    two.apply(fakeContext(table, countsOnly(1, 2), [0, 1], () => scriptedStream([0, 0]), 2));
    expect([...table.fraud]).toEqual([1, 1]);
  });
});
