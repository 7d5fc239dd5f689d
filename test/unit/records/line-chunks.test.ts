import fc from 'fast-check';
import { lineChunks } from '../../../src/records/line-chunks';

describe('lineChunks', () => {
  it('cuts only between lines, each write within the limit unless it is one long line', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 60 }), fc.integer({ min: 1, max: 1000 }), (lengths, limit) => {
        const ends: number[] = [];
        let at = 0;
        for (const n of lengths) ends.push((at += n));
        const cuts = lineChunks(ends, limit);
        if (ends.length === 0) return cuts.length === 0;
        // Every cut is a line end, the last is the run's end, in order.
        expect(cuts.every((c) => ends.includes(c))).toBe(true);
        expect(cuts[cuts.length - 1]).toBe(at);
        let start = 0;
        for (const cut of cuts) {
          expect(cut).toBeGreaterThan(start);
          const lines = ends.filter((e) => e > start && e <= cut).length;
          if (cut - start > limit) expect(lines).toBe(1);
          start = cut;
        }
        // Greedy: a write and the next line together would have been over the limit.
        start = 0;
        for (const cut of cuts.slice(0, -1)) {
          const next = ends.find((e) => e > cut) as number;
          expect(next - start).toBeGreaterThan(limit);
          start = cut;
        }
        return true;
      }),
    );
  });

  it('examples', () => {
    expect(lineChunks([], 10)).toEqual([]);
    expect(lineChunks([4, 8, 12], 10)).toEqual([8, 12]);
    expect(lineChunks([4, 8, 12], 12)).toEqual([12]);
    expect(lineChunks([30, 34], 10)).toEqual([30, 34]);
  });
});
