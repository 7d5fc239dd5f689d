import { sortFloats } from '../../../../src/training/metrics/radix-sort';

/** Deterministic xorshift32 in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function expectSameAsNative(values: Float64Array | Float32Array): void {
  const expected = values.slice().sort();
  const actual = values.slice();
  sortFloats(actual);
  // Object.is distinguishes -0 from +0, which the native sort orders -0 first.
  for (let i = 0; i < values.length; i += 1) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('sortFloats', () => {
  it('orders like the native sort on large mixed input (negatives, ±0, ±Infinity, duplicates)', () => {
    const next = uniform(42);
    const values = new Float64Array(50_000);
    for (let i = 0; i < values.length; i += 1) values[i] = (next() - 0.5) * 10 ** Math.floor(next() * 12 - 6);
    values.set([0, -0, Infinity, -Infinity, 1, 1, -1, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE], 100);
    expectSameAsNative(values);
  });

  it('orders Float32-derived probabilities (whose low bits are all zero)', () => {
    const next = uniform(7);
    const values = Float64Array.from(new Float32Array(20_000).map(() => next()));
    expectSameAsNative(values);
  });

  it('sorts Float32Array keys (two passes) like the native sort, negatives and ±0 included', () => {
    const next = uniform(11);
    const values = new Float32Array(30_000).map(() => (next() - 0.3) * 1e3);
    values.set([0, -0, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -1e-45], 7);
    expectSameAsNative(values);
  });

  it('sorts a subarray view in place without touching the rest of its buffer', () => {
    const next = uniform(3);
    const buffer = new Float64Array(10_002).map(() => next());
    const before = [buffer[0], buffer[10_001]];
    const view = buffer.subarray(1, 10_001);
    const expected = view.slice().sort();
    sortFloats(view);
    expect(Array.from(view)).toEqual(Array.from(expected));
    expect([buffer[0], buffer[10_001]]).toEqual(before);
  });

  it('handles short and constant arrays', () => {
    expectSameAsNative(Float64Array.of(3, 1, 2));
    expectSameAsNative(new Float64Array(0));
    expectSameAsNative(new Float64Array(8192).fill(0.25));
  });
});
