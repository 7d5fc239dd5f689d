import { denseIndex } from '../../../../src/training/metrics/dense-index';

describe('denseIndex', () => {
  it('numbers small integer ids in first-seen order (lookup-table path)', () => {
    const { indexOf, keys } = denseIndex(Uint32Array.from([7, 3, 7, 9, 3]));
    expect(Array.from(indexOf)).toEqual([0, 1, 0, 2, 1]);
    expect(keys).toEqual([7, 3, 9]);
  });

  it('handles negative integers and merges -0 with 0, as a Map would', () => {
    const { indexOf, keys } = denseIndex([-2, 0, -0, -2, 5]);
    expect(Array.from(indexOf)).toEqual([0, 1, 1, 0, 2]);
    expect(keys).toEqual([-2, 0, 5]);
  });

  it('falls back to a Map for strings, fractions and sparse integers, with the same result shape', () => {
    expect(denseIndex(['b', 'a', 'b'])).toEqual({ indexOf: Uint32Array.from([0, 1, 0]), keys: ['b', 'a'] });
    expect(denseIndex([0.5, 1.5, 0.5])).toEqual({ indexOf: Uint32Array.from([0, 1, 0]), keys: [0.5, 1.5] });
    expect(denseIndex([1e12, 1, 1e12])).toEqual({ indexOf: Uint32Array.from([0, 1, 0]), keys: [1e12, 1] });
    // "1" and 1 are different cards.
    expect(denseIndex<string | number>(['1', 1]).keys).toEqual(['1', 1]);
  });

  it('is empty for empty input', () => {
    expect(denseIndex([])).toEqual({ indexOf: new Uint32Array(0), keys: [] });
  });
});
