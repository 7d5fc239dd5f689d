import { groupByKey, listOf } from '../../../../src/sim/population/csr';

describe('groupByKey', () => {
  it('groups indices by key, ascending within each list, empty lists included', () => {
    const csr = groupByKey(Int32Array.from([2, 0, 2, 3, 0]), 5);
    expect([0, 1, 2, 3, 4].map((k) => [...listOf(csr, k)])).toEqual([[1, 4], [], [0, 2], [3], []]);
  });
});
