import { compromisedCustomersScenario } from '../../../../src/sim/fraud/compromised-customers';
import { countsOnly, fakeContext, scriptedStream, tableOf } from '../fakes';

const scenario = compromisedCustomersScenario({ id: 3, perDay: 1, windowDays: 14, divisor: 3, amountFactor: 5 });

describe('scenario 3: compromised customers', () => {
  it('on day d takes floor(count/3) of the customer’s transactions of days d .. d+13, amount × 5', () => {
    const table = tableOf([
      [0, 10, 1, 0, 1_000], // row 0: before d
      [1, 10, 1, 0, 1_001], // row 1: first in window (index 0)
      [2, 10, 1, 0, 1_002], // index 1
      [2, 20, 0, 0, 9_999], // another customer
      [4, 10, 1, 0, 1_003], // index 2
      [5, 10, 1, 0, 1_004], // index 3
      [9, 10, 1, 0, 1_005], // index 4
      [12, 10, 1, 0, 1_006], // index 5
      [14, 10, 1, 0, 1_007], // index 6: d + 13
      [15, 10, 1, 0, 1_008], // d + 14: out
    ]);
    table.fraud[8] = 1;
    table.scenario[8] = 2; // already fraud by scenario 2: overwritten
    // Day 1: customer 1 (int(2) -> 1), then 7 rows -> k = 2; Floyd: int(6) -> 0 picks index 0,
    // int(7) -> 0 again, so index 6 is taken instead. Other days: customer 0 with 1 row -> k = 0.
    const ctx = fakeContext(table, countsOnly(2, 1), [0, 16], (day) => scriptedStream(day === 1 ? [1, 0, 0] : [0]), 3);
    scenario.apply(ctx);
    expect([...table.scenario]).toEqual([0, 3, 0, 0, 0, 0, 0, 0, 3, 0]);
    expect([...table.fraud]).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect([...table.amountMinor]).toEqual([1_000, 5_005, 1_002, 9_999, 1_003, 1_004, 1_005, 1_006, 5_035, 1_008]);
  });

  it('uses floor(count/3): fewer than 3 transactions in the window give no fraud', () => {
    const table = tableOf([[0, 10, 0, 0, 100], [3, 10, 0, 0, 100]]);
    scenario.apply(fakeContext(table, countsOnly(1, 1), [0, 1], () => scriptedStream([0]), 3));
    expect([...table.fraud]).toEqual([0, 0]);
  });

  it('pools the transactions of all customers compromised that day before sampling', () => {
    const three = compromisedCustomersScenario({ id: 3, perDay: 3, windowDays: 14, divisor: 3, amountFactor: 5 });
    // 3 customers of 3, one transaction each -> 3 pooled rows -> 1 fraud.
    const table = tableOf([[0, 1, 0, 0, 100], [0, 2, 1, 0, 100], [0, 3, 2, 0, 100]]);
    // Floyd for 3 of 3 draws int(1), int(2), int(3); then 1 of 3 draws int(3) -> 2 (the last row).
    three.apply(fakeContext(table, countsOnly(3, 1), [0, 1], () => scriptedStream([0, 0, 0, 2]), 3));
    expect([...table.fraud]).toEqual([0, 0, 1]);
    expect(table.amountMinor[2]).toBe(500);
  });

  it('asks for 13 margin days and draws the compromises of the 13 days before the period', () => {
    expect(scenario.marginDays).toBe(13);
    const table = tableOf([[20, 10, 0, 0, 100]]);
    const ctx = fakeContext(table, countsOnly(1, 1), [20, 22], () => scriptedStream([0]), 3);
    scenario.apply(ctx);
    expect(ctx.daysAsked).toEqual(Array.from({ length: 15 }, (_, i) => 7 + i));
  });
});
