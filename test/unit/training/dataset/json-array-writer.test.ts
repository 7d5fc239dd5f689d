import fc from 'fast-check';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonArrayWriter } from '../../../../src/training/dataset/json-array-writer';

/** What the writer puts in a file when `write` drives it. */
function written(write: (w: JsonArrayWriter) => void): string {
  const path = join(mkdtempSync(join(tmpdir(), 'json-writer-')), 'out.json');
  const fd = openSync(path, 'w');
  try {
    const w = new JsonArrayWriter(fd);
    write(w);
    w.flush();
  } finally {
    closeSync(fd);
  }
  return readFileSync(path, 'utf8');
}

const latin1Bytes = (values: readonly string[]) => {
  const starts = new Int32Array(values.length + 1);
  const parts = values.map((v) => Buffer.from(v, 'latin1'));
  parts.forEach((p, i) => (starts[i + 1] = (starts[i] as number) + p.length));
  return { bytes: new Uint8Array(Buffer.concat(parts)), starts };
};

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

  it('writes byte strings as their latin1 characters, escaped where JSON needs it', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) })), (values) => {
        const { bytes, starts } = latin1Bytes(values);
        expect(written((w) => w.byteStrings(bytes, starts, values.length))).toBe(JSON.stringify(values));
      }),
    );
  });

  it('writes strings looked up by number, the first count of them', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1 }), fc.array(fc.nat()), (table, picks) => {
        const numbers = Int32Array.from(picks, (p) => p % table.length);
        const count = Math.floor(numbers.length / 2);
        const expected = Array.from(numbers.subarray(0, count), (n) => table[n]);
        expect(written((w) => w.stringsAt(table, numbers, count))).toBe(JSON.stringify(expected));
      }),
    );
  });

  it('writes only the first count elements, and arrays larger than its buffer', () => {
    const ids = Array.from({ length: 400_000 }, (_, i) => `tx${String(i).padStart(9, '0')}`);
    const times = Float64Array.from(ids, (_, i) => (i % 7 === 0 ? Number.NaN : 1_522_540_800 + i));
    const { bytes, starts } = latin1Bytes(ids);
    const text = written((w) => {
      w.text('[');
      w.byteStrings(bytes, starts, ids.length);
      w.text(',');
      w.numbers(times, times.length);
      w.text(',');
      w.strings(ids, 2);
      w.text(']');
    });
    expect(text.length).toBeGreaterThan(8 << 20);
    expect(text).toBe(JSON.stringify([ids, Array.from(times), ids.slice(0, 2)]));
  });
});
