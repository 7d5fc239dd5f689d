import { createStream, streamState } from '../../../../src/sim/random/stream';

const take = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('createStream', () => {
  it('gives the same sequence for the same seed and path', () => {
    const a = createStream(42, 'transactions', 7);
    const b = createStream(42, 'transactions', 7);
    expect(take(20, () => a.uniform())).toEqual(take(20, () => b.uniform()));
  });

  it('gives different sequences for different seeds or paths, including look-alike paths', () => {
    const first = (seed: number, ...path: (string | number)[]) => createStream(seed, ...path).uniform();
    const values = [first(1, 'a', 1), first(2, 'a', 1), first(1, 'a', 2), first(1, 'b', 1), first(1, 'a1'), first(1, 'a', '1'), first(1, 'a', -1), first(2 ** 40, 'a', 1)];
    expect(new Set(values).size).toBe(values.length);
    expect(streamState(1, ['a', 1])).not.toEqual(streamState(1, ['a1']));
  });

  it('draws uniforms in [0, 1) and ints in [0, n)', () => {
    const s = createStream(3, 'range');
    let ok = true;
    for (let i = 0; i < 10_000; i += 1) {
      const u = s.uniform();
      const k = s.int(7);
      ok &&= u >= 0 && u < 1 && Number.isInteger(k) && k >= 0 && k < 7;
    }
    expect(ok).toBe(true);
    expect(s.int(1)).toBe(0);
  });

  it('spreads consecutive seeds: first draws of seeds 0..999 look uniform', () => {
    const firsts = Array.from({ length: 1000 }, (_, seed) => createStream(seed, 'x').uniform());
    const mean = firsts.reduce((a, b) => a + b, 0) / firsts.length;
    expect(mean).toBeCloseTo(0.5, 1);
    const deciles = new Array<number>(10).fill(0);
    for (const u of firsts) deciles[Math.floor(u * 10)] = (deciles[Math.floor(u * 10)] ?? 0) + 1;
    for (const c of deciles) expect(c).toBeGreaterThan(60);
  });

  it('rejects a seed or numeric path part that is not a safe integer', () => {
    expect(() => createStream(1.5)).toThrow(RangeError);
    expect(() => createStream(1, Number.NaN)).toThrow('stream key must be a safe integer, got NaN');
  });
});
