import { listOf } from '../../../../src/sim/population/csr';
import { terminalsInRange, type Points } from '../../../../src/sim/population/terminals-in-range';
import { createStream } from '../../../../src/sim/random/stream';

function points(xy: readonly (readonly [number, number])[]): Points {
  return { count: xy.length, x: Float64Array.from(xy, ([x]) => x), y: Float64Array.from(xy, ([, y]) => y) };
}

describe('terminalsInRange', () => {
  it('keeps distance < radius: the boundary (exactly 5) is excluded, no wrap-around at the edges', () => {
    const customers = points([[0, 0], [50, 50]]);
    const terminals = points([
      [3, 4], // distance exactly 5: out
      [3, 3.99], // just inside
      [0, 0], // same point: in
      [99.5, 0], // 0.5 away only with wrap-around: out
      [4.999, 0], // in
      [5, 0], // exactly 5: out
      [53, 54], // exactly 5 from the second customer: out
      [50, 45.0001], // in for the second customer
    ]);
    const csr = terminalsInRange(customers, terminals, 5);
    expect([...listOf(csr, 0)]).toEqual([1, 2, 4]);
    expect([...listOf(csr, 1)]).toEqual([7]);
  });

  it('gives an empty list to a customer with no terminal in range', () => {
    const csr = terminalsInRange(points([[10, 10], [90, 90]]), points([[10, 12]]), 5);
    expect([...listOf(csr, 0)]).toEqual([0]);
    expect(listOf(csr, 1)).toHaveLength(0);
  });

  it('matches a brute-force scan on random points (ascending terminal order)', () => {
    const s = createStream(9, 'geometry');
    const rnd = (n: number) => points(Array.from({ length: n }, () => [s.uniform() * 100, s.uniform() * 100] as const));
    const customers = rnd(300);
    const terminals = rnd(800);
    const csr = terminalsInRange(customers, terminals, 5);
    for (let c = 0; c < customers.count; c += 1) {
      const expected: number[] = [];
      for (let t = 0; t < terminals.count; t += 1) {
        const d = Math.sqrt(((terminals.x[t] as number) - (customers.x[c] as number)) ** 2 + ((terminals.y[t] as number) - (customers.y[c] as number)) ** 2);
        if (d < 5) expected.push(t);
      }
      expect([...listOf(csr, c)]).toEqual(expected);
    }
  });

  it('handles no terminals at all', () => {
    const csr = terminalsInRange(points([[1, 1]]), points([]), 5);
    expect(listOf(csr, 0)).toHaveLength(0);
  });
});
