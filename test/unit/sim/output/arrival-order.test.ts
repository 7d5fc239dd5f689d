import { arrivalOrder } from '../../../../src/sim/output/arrival-order';
import { tableOf } from '../fakes';

describe('arrivalOrder', () => {
  it('interleaves by arrival time; on ties transactions first, then labels by transaction index; late labels last', () => {
    const table = tableOf([
      [0, 10, 0, 0, 1], // t = 10
      [0, 20, 0, 0, 1], // t = 20
      [0, 20, 0, 0, 1], // t = 20
      [0, 30, 0, 0, 1], // t = 30
    ]);
    // Labels already in (reportedAt, row) order, as buildFraudLabels makes them.
    const labels = { length: 4, row: Int32Array.from([0, 0, 1, 2]), reportedAt: Float64Array.from([15, 20, 20, 99]) };
    const order = [...arrivalOrder({ table, startEpochSeconds: 0, labels })].map((i) => (i.kind === 'transaction' ? `t${i.row}` : `l${i.label}`));
    expect(order).toEqual(['t0', 'l0', 't1', 't2', 'l1', 'l2', 't3', 'l3']);
  });

  it('yields nothing for an empty period', () => {
    expect([...arrivalOrder({ table: tableOf([]), startEpochSeconds: 0, labels: { length: 0, row: new Int32Array(0), reportedAt: new Float64Array(0) } })]).toEqual([]);
  });
});
