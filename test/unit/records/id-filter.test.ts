import fc from 'fast-check';
import { IdFilter } from '../../../src/records/id-filter';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}-${(i * 2654435761) >>> 0}`);

describe('IdFilter', () => {
  test('never forgets an id: every added id is reported present (property, any strings)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 64, unit: 'binary' }), { maxLength: 300 }), (added) => {
        const f = new IdFilter(16, 0.01);
        for (const id of added) f.add(id);
        return added.every((id) => f.mightContain(id));
      }),
    );
  });

  test('an empty filter contains nothing', () => {
    const f = new IdFilter();
    expect(ids('x', 1000).some((id) => f.mightContain(id))).toBe(false);
  });

  test('at capacity the false-positive rate stays near the configured one', () => {
    const f = new IdFilter(20_000, 0.01);
    for (const id of ids('in', 20_000)) f.add(id);
    const probes = ids('out', 100_000);
    const rate = probes.filter((id) => f.mightContain(id)).length / probes.length;
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(0.01);
  });

  test('grows past its capacity without losing ids, and the false-positive rate stays bounded (< 2x)', () => {
    const f = new IdFilter(1_000, 0.01);
    const added = ids('in', 15_000);
    for (const id of added) f.add(id);
    expect(f.size).toBe(15_000);
    expect(added.every((id) => f.mightContain(id))).toBe(true);
    const probes = ids('out', 100_000);
    const rate = probes.filter((id) => f.mightContain(id)).length / probes.length;
    expect(rate).toBeLessThan(0.02);
  });

  test('tells apart ids that differ in one character, in length, or only beyond ASCII', () => {
    const f = new IdFilter(100, 0.001);
    f.add('txn-000001');
    expect(f.mightContain('txn-000001')).toBe(true);
    expect(f.mightContain('txn-000002')).toBe(false);
    expect(f.mightContain('txn-00000')).toBe(false);
    expect(f.mightContain('txn-0000011')).toBe(false);
    f.add('é');
    expect(f.mightContain('é')).toBe(true);
    expect(f.mightContain('e')).toBe(false);
  });

  test('refuses a nonsensical size or rate', () => {
    expect(() => new IdFilter(0)).toThrow(RangeError);
    expect(() => new IdFilter(10, 0)).toThrow(RangeError);
    expect(() => new IdFilter(10, 0.5)).toThrow(RangeError);
  });

  test('holds about 2 bytes per id at the default size and a 1% rate (memory stays small for millions of decisions)', () => {
    const f = new IdFilter(1 << 20, 0.01);
    expect(f.bytes / (1 << 20)).toBeLessThan(2.5);
  });
});
