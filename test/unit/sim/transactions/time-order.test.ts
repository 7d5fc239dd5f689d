import { timeOrder } from '../../../../src/sim/transactions/time-order';
import { tableOf } from '../fakes';

describe('timeOrder', () => {
  it('orders by (day, second) and keeps row order on ties', () => {
    const t = tableOf([
      [1, 10, 0, 0, 1],
      [0, 500, 1, 0, 1],
      [0, 20, 2, 0, 1],
      [1, 10, 3, 0, 1],
      [0, 500, 4, 0, 1],
      [3, 1, 5, 0, 1],
    ]);
    expect([...timeOrder(t)]).toEqual([2, 1, 4, 0, 3, 5]);
  });

  it('handles an empty table', () => {
    expect(timeOrder(tableOf([]))).toHaveLength(0);
  });
});
