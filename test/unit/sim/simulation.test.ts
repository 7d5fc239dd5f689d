import { simEvents } from '../../../src/sim/output/write-events';
import { resolveOptions } from '../../../src/sim/options';
import { simulate, transactionTime } from '../../../src/sim/simulation';
import { summarize } from '../../../src/sim/summary';

const small = { seed: 3, customers: 300, terminals: 600 };

describe('simulate', () => {
  it('is deterministic: the same options give identical tables and labels', () => {
    const a = simulate({ ...small, days: 30 });
    const b = simulate({ ...small, days: 30 });
    expect(b.table).toEqual(a.table);
    expect(b.labels).toEqual(a.labels);
  });

  it('returns the period in time order with fraud marks, scenario numbers and one label per fraud', () => {
    const r = simulate({ ...small, days: 60 });
    let ordered = true;
    for (let row = 1; row < r.table.length; row += 1) ordered &&= transactionTime(r, row - 1) <= transactionTime(r, row);
    expect(ordered).toBe(true);
    const s = summarize(r);
    expect(s.transactions).toBe(r.table.length);
    expect(s.frauds).toBeGreaterThan(0);
    expect(s.labels).toBe(s.frauds);
    expect(Object.keys(s.byScenario)).toEqual(['1', '2', '3']);
    expect(Object.values(s.byScenario).reduce((a, b) => a + b, 0)).toBe(s.frauds);
    expect(new Set(r.labels.row).size).toBe(r.labels.length);
    expect([...r.labels.row].every((row) => r.table.fraud[row] === 1)).toBe(true);
  });

  it('simulates a later period of the same world: same rows, ids, frauds and labels for the shared days', () => {
    const whole = simulate({ ...small, days: 50, labelDelayModel: 'chargeback' });
    const later = simulate({ ...small, startDay: 30, days: 20, labelDelayModel: 'chargeback' });
    const shared = [...simEvents(whole)].filter((e) => e.type === 'transaction' && e.timestamp >= '2018-05-01');
    const sharedIds = new Set(shared.map((e) => e.transactionId));
    const wholeLabels = [...simEvents(whole)].filter((e) => e.type === 'label' && sharedIds.has(e.transactionId));
    const laterEvents = [...simEvents(later)];
    expect(later.firstIndex).toBeGreaterThan(0);
    expect(laterEvents.filter((e) => e.type === 'transaction')).toEqual(shared);
    expect(laterEvents.filter((e) => e.type === 'label')).toEqual(wholeLabels);
  });

  it('rejects invalid options with a RangeError naming them', () => {
    expect(() => simulate({ days: 0 })).toThrow('days must be an integer >= 1, got 0');
    expect(() => simulate({ startDate: '2018-02-30' })).toThrow('start date must be a valid YYYY-MM-DD date, got "2018-02-30"');
    expect(() => resolveOptions({ seed: 0.5 })).toThrow(RangeError);
  });
});
