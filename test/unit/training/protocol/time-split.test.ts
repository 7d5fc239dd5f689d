import { dayStart, gatherRows, HANDBOOK_SPLIT, labelsKnownAt, prequentialOptions, timeSplit } from '../../../../src/training/protocol/time-split';

const DAY = 86_400;
const D = (date: string, hours = 12) => dayStart(date) + hours * 3_600;

/** Builds sidecar columns from (time, user, fraud, labelKnownAt) rows. */
function sidecar(rows: [number, string, 0 | 1, number | null][]) {
  return {
    columns: {
      transactionId: rows.map((_, i) => `t${i}`),
      timestamp: rows.map((r) => r[0]),
      userId: rows.map((r) => r[1]),
      merchantId: rows.map(() => 'm'),
      label: rows.map((r) => r[2]),
      labelKnownAt: rows.map((r) => r[3]),
    },
  };
}

describe('timeSplit (handbook protocol)', () => {
  const rows: [number, string, 0 | 1, number | null][] = [
    [D('2018-07-20'), 'a', 1, D('2018-07-27')], // 0 validation: a fraud before training, card a is not blocked
    [D('2018-07-25'), 'b', 1, D('2018-08-01')], // 1 train, fraud known before test: card b is known
    [D('2018-07-31'), 'c', 1, D('2018-08-07')], // 2 train
    [D('2018-08-03'), 'd', 1, D('2018-08-10')], // 3 delay: fraud that becomes known on 08-10
    [D('2018-08-08'), 'b', 0, null], // 4 test day 1, card b known -> removed
    [D('2018-08-08'), 'd', 1, D('2018-08-15')], // 5 test day 1, card d not yet known -> kept
    [D('2018-08-10', 6), 'd', 0, null], // 6 test 08-10: d's label arrives 08-10 12:00, after the day starts -> kept
    [D('2018-08-11'), 'd', 0, null], // 7 test 08-11: d known -> removed
    [D('2018-08-14', 23), 'e', 0, null], // 8 last test second-ish -> kept
    [D('2018-08-15'), 'e', 0, null], // 9 after the test week
    [D('2018-08-09'), 'a', 0, null], // 10 test: card a's old compromise predates training -> kept
  ];

  it('picks train, validation (week before train) and test rows by event time', () => {
    const s = timeSplit(sidecar(rows), HANDBOOK_SPLIT);
    expect(Array.from(s.validationRows)).toEqual([0]);
    expect(Array.from(s.trainRows)).toEqual([1, 2]);
    expect(Array.from(s.testRows)).toEqual([5, 6, 8, 10]);
    expect(s.removedKnownCompromised).toBe(2);
    expect(s.labelCutoff).toBe(dayStart('2018-08-08'));
    expect(s.test).toEqual({ from: dayStart('2018-08-08'), to: dayStart('2018-08-15') });
    expect(s.delay).toEqual({ from: dayStart('2018-08-01'), to: dayStart('2018-08-08') });
  });

  it('trains only on labels known by the cutoff', () => {
    const late: [number, string, 0 | 1, number | null][] = rows.map((r, i) => (i === 2 ? [r[0], r[1], 1, D('2018-08-09')] : r));
    const s = timeSplit(sidecar(late), HANDBOOK_SPLIT);
    expect(Array.from(labelsKnownAt(sidecar(late), s.trainRows, s.labelCutoff))).toEqual([1, 0]);
    expect(Array.from(labelsKnownAt(sidecar(late), s.validationRows, s.labelCutoff))).toEqual([1]);
  });

  it('builds prequential folds shifted back a week each', () => {
    expect(prequentialOptions(HANDBOOK_SPLIT, 4).map((o) => o.trainStart)).toEqual(['2018-07-25', '2018-07-18', '2018-07-11', '2018-07-04']);
  });

  it('refuses an empty window', () => {
    expect(() => timeSplit(sidecar([[D('2018-07-25'), 'a', 0, null]]), HANDBOOK_SPLIT)).toThrow('the validation window holds no transactions');
  });

  it('gathers rows of a row-major matrix', () => {
    const m = Float32Array.from([0, 1, 10, 11, 20, 21]);
    expect(Array.from(gatherRows(m, 2, Uint32Array.from([2, 0])))).toEqual([20, 21, 0, 1]);
    expect(DAY).toBe(86_400);
  });
});
