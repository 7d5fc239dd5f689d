import { buildFraudLabels } from '../../../../src/sim/labels/fraud-labels';
import { tableOf } from '../fakes';

describe('buildFraudLabels', () => {
  it('gives each fraud row exactly one label at time + delay, in (reportedAt, row) order; none for legit rows', () => {
    const table = tableOf([
      [0, 100, 0, 0, 1],
      [0, 200, 0, 0, 1],
      [0, 300, 0, 0, 1],
      [0, 400, 0, 0, 1],
    ]);
    table.fraud.set([1, 0, 1, 1]);
    const time = (row: number) => 1_000 + (table.second[row] as number);
    // Delays by global index (firstIndex 10): row 0 -> 500, row 2 -> 300 (ties with row 0), row 3 -> 50.
    const delays: Record<number, number> = { 10: 500, 12: 300, 13: 50 };
    const labels = buildFraudLabels(table, 10, time, (i) => delays[i] as number);
    expect(labels.length).toBe(3);
    expect([...labels.row]).toEqual([3, 0, 2]);
    expect([...labels.reportedAt]).toEqual([1_450, 1_600, 1_600]);
  });
});
