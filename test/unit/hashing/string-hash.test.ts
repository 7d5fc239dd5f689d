import { fmix32, FNV_OFFSET, stringHash32 } from '../../../src/hashing/string-hash';

describe('string hashes', () => {
  it('folds with FNV-1a (published vectors) and finishes with murmur3 fmix32', () => {
    // FNV-1a 32 of "" is the offset basis, of "a" 0xe40c292c, of "foobar" 0xbf9cf968.
    expect(stringHash32('')).toBe(fmix32(FNV_OFFSET));
    expect(stringHash32('a')).toBe(fmix32(0xe40c292c));
    expect(stringHash32('foobar')).toBe(fmix32(0xbf9cf968));
    expect(fmix32(0)).toBe(0);
    // murmur3's finaliser of 1 (a known vector of the 32-bit fmix).
    expect(fmix32(1)).toBe(0x514e28b7);
  });

  it('returns uint32 values spread over the whole range', () => {
    const top = new Array<number>(4).fill(0);
    for (let i = 0; i < 4000; i++) {
      const h = stringHash32(`tx-${i}`);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      top[h >>> 30] = (top[h >>> 30] as number) + 1;
    }
    for (const n of top) expect(Math.abs(n - 1000)).toBeLessThan(100);
  });
});
