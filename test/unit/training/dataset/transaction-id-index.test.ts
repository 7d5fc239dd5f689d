import fc from 'fast-check';
import { TransactionIdIndex } from '../../../../src/training/dataset/transaction-id-index';

describe('TransactionIdIndex', () => {
  it('gives rows in insertion order, finds them again and gives back the ids', () => {
    const index = new TransactionIdIndex();
    expect(index.add('tx-1')).toBe(0);
    expect(index.add('tx-2')).toBe(1);
    expect(index.size).toBe(2);
    expect(index.find('tx-2')).toBe(1);
    expect(index.find('tx-1')).toBe(0);
    expect(index.find('tx-3')).toBe(-1);
    expect(index.find('tx-')).toBe(-1);
    expect(index.find('tx-10')).toBe(-1);
    expect([index.id(0), index.id(1)]).toEqual(['tx-1', 'tx-2']);
  });

  it('stays exact past many table and arena growths', () => {
    const index = new TransactionIdIndex();
    const n = 300_000;
    const idOf = (i: number) => `transaction:${i.toString(36)}.${'x'.repeat(i % 40)}`;
    const wrong: number[] = [];
    for (let i = 0; i < n; i++) if (index.add(idOf(i)) !== i) wrong.push(i);
    for (let i = 0; i < n; i++) if (index.find(idOf(i)) !== i) wrong.push(i);
    expect(wrong).toEqual([]);
    expect(index.find(`transaction:${n.toString(36)}.`)).toBe(-1);
    expect(index.id(n - 1)).toBe(idOf(n - 1));
  });

  it('agrees with a Map on any sequence of contract ids', () => {
    const id = fc.string({ unit: fc.constantFrom(...'aZ09._:-'), minLength: 1, maxLength: 64 });
    fc.assert(
      fc.property(fc.array(id, { maxLength: 200 }), fc.array(id, { maxLength: 50 }), (added, probes) => {
        const index = new TransactionIdIndex();
        const map = new Map<string, number>();
        for (const value of added) {
          if (map.has(value)) continue;
          map.set(value, index.add(value));
        }
        for (const value of [...added, ...probes]) expect(index.find(value)).toBe(map.get(value) ?? -1);
        for (const [value, row] of map) expect(index.id(row)).toBe(value);
      }),
    );
  });

  it('findOrAdd finds known ids and adds new ones exactly like find then add', () => {
    const id = fc.string({ unit: fc.constantFrom(...'aZ09._:-'), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.array(id, { maxLength: 400 }), (values) => {
        const index = new TransactionIdIndex();
        const map = new Map<string, number>();
        for (const value of values) {
          const before = index.size;
          const row = index.findOrAdd(value);
          if (!map.has(value)) map.set(value, before);
          expect([value, row, index.size]).toEqual([value, map.get(value), map.size]);
        }
        for (const [value, row] of map) expect([index.find(value), index.id(row)]).toEqual([row, value]);
      }),
    );
  });

  it('refuses ids the contract does not allow', () => {
    const index = new TransactionIdIndex();
    expect(() => index.add('')).toThrow('transaction id of 0 characters');
    expect(() => index.add('x'.repeat(65))).toThrow('transaction id of 65 characters');
    expect(() => index.add('tx-é')).toThrow('transaction id is not ASCII');
    expect(() => index.findOrAdd('')).toThrow('transaction id of 0 characters');
    expect(index.size).toBe(0);
  });
});
