import fc from 'fast-check';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChunkSink, fileSink, JsonArrayWriter } from '../../../../src/training/dataset/json-array-writer';

/** What the writer puts in a file when `write` drives it. */
function written(write: (w: JsonArrayWriter) => void): string {
  const path = join(mkdtempSync(join(tmpdir(), 'json-writer-')), 'out.json');
  const fd = openSync(path, 'w');
  try {
    const w = new JsonArrayWriter(fileSink(fd));
    write(w);
    w.flush();
  } finally {
    closeSync(fd);
  }
  return readFileSync(path, 'utf8');
}

describe('JsonArrayWriter', () => {
  it('writes exactly what JSON.stringify writes, for any strings and numbers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' })),
        fc.array(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53, -(2 ** 53) + 1, 1e21, 5e-324))),
        (strings, numbers) => {
          const text = written((w) => {
            w.text('{"s":');
            w.strings(strings, strings.length);
            w.text(',"n":');
            w.numbers(numbers, numbers.length);
            w.text('}');
          });
          expect(text).toBe(JSON.stringify({ s: strings, n: numbers }));
        },
      ),
    );
  });

  it('writes arrays element by element, strings and numbers, as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.oneof(fc.integer(), fc.double()))), (rows) => {
        const text = written((w) => {
          w.start();
          for (const [s] of rows) w.string(s);
          w.end();
          w.text(',');
          w.start();
          for (const [, n] of rows) w.number(n);
          w.end();
        });
        expect(`[${text}]`).toBe(JSON.stringify([rows.map(([s]) => s), rows.map(([, n]) => n)]));
      }),
    );
  });

  it('writes only the first count elements, and arrays larger than its buffer', () => {
    const ids = Array.from({ length: 400_000 }, (_, i) => `tx${String(i).padStart(9, '0')}`);
    const times = Float64Array.from(ids, (_, i) => (i % 7 === 0 ? Number.NaN : 1_522_540_800 + i));
    const text = written((w) => {
      w.text('[');
      w.start();
      for (const id of ids) w.string(id);
      w.end();
      w.text(',');
      w.numbers(times, times.length);
      w.text(',');
      w.strings(ids, 2);
      w.text(']');
    });
    expect(text.length).toBeGreaterThan(8 << 20);
    expect(text).toBe(JSON.stringify([ids, Array.from(times), ids.slice(0, 2)]));
  });

  it('hands a chunk sink copies, which another writer writes out as they were', () => {
    const ids = Array.from({ length: 600_000 }, (_, i) => `u${i}`);
    const chunks = new ChunkSink();
    const column = new JsonArrayWriter(chunks.sink);
    column.start();
    for (const id of ids) column.string(id);
    column.end();
    column.flush();
    expect(chunks.chunks.length).toBeGreaterThan(1); // the writer reused its buffer between them
    const text = written((w) => {
      w.text('{"ids":');
      w.bytes(chunks.chunks);
      w.text('}');
    });
    // Compared as a boolean: a failure would otherwise print megabytes.
    expect([text.length, text === JSON.stringify({ ids })]).toEqual([JSON.stringify({ ids }).length, true]);
  });
});
