import { VectorSlab } from '../../../src/scoring/vector-slab';

describe('VectorSlab', () => {
  it('hands out zeroed vectors of the given length that never overlap, across blocks', () => {
    const slab = new VectorSlab(5, 3);
    const vectors = Array.from({ length: 10 }, () => slab.next());
    for (const v of vectors) {
      expect(v).toHaveLength(5);
      expect(Array.from(v)).toEqual([0, 0, 0, 0, 0]);
    }
    vectors.forEach((v, i) => v.fill(i + 1));
    vectors.forEach((v, i) => expect(Array.from(v)).toEqual(Array(5).fill(i + 1)));
    // Three per block: the fourth starts a new one, and no block is handed out twice.
    expect(new Set(vectors.map((v) => v.buffer)).size).toBe(4);
    expect(vectors[3]?.buffer).not.toBe(vectors[2]?.buffer);
    expect(vectors.slice(0, 3).map((v) => v.byteOffset)).toEqual([0, 20, 40]);
  });

  it('refuses sizes below one', () => {
    expect(() => new VectorSlab(0)).toThrow(RangeError);
    expect(() => new VectorSlab(4, 0)).toThrow(RangeError);
  });
});
