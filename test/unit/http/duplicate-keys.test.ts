import fc from 'fast-check';
import { duplicateKey } from '../../../src/http/duplicate-keys';

/** JSON as written: objects are lists of (key, value) pairs, so a key may repeat. */
type Doc = null | boolean | number | string | Doc[] | { readonly pairs: ReadonlyArray<readonly [string, Doc]> };

const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n');

/** Keys from a small alphabet (repeats are likely), with characters JSON must escape. */
const key = fc.oneof(fc.constantFrom('a', 'b', 'a/b', 'x~y', 'é', 'q"q', 'back\\slash', '', '__proto__'), fc.string({ maxLength: 3 }));

const doc: fc.Arbitrary<Doc> = fc.letrec<{ doc: Doc }>((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 6 }),
    fc.array(tie('doc'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('doc')), { maxLength: 5 }).map((pairs) => ({ pairs })),
  ),
})).doc;

/** The text of `d`, with whitespace from `ws` between tokens; keys escaped as JSON.stringify does, or with \u escapes. */
function write(d: Doc, ws: () => string, escapeAll: boolean): string {
  if (d === null || typeof d !== 'object') return JSON.stringify(d);
  if (Array.isArray(d)) return `[${ws()}${d.map((x) => write(x, ws, escapeAll)).join(`${ws()},${ws()}`)}${ws()}]`;
  const keyText = (k: string) => (escapeAll ? `"${[...k].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(k));
  return `{${ws()}${d.pairs.map(([k, v]) => `${keyText(k)}${ws()}:${ws()}${write(v, ws, escapeAll)}`).join(`${ws()},${ws()}`)}${ws()}}`;
}

/** The reference: the first key repeated within its object, in text order, as a JSON Pointer. */
function reference(d: Doc, path = ''): string | null {
  if (d === null || typeof d !== 'object') return null;
  if (Array.isArray(d)) {
    for (let i = 0; i < d.length; i++) {
      const found = reference(d[i] as Doc, `${path}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  const seen = new Set<string>();
  for (const [k, v] of d.pairs) {
    const p = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (seen.has(k)) return p;
    seen.add(k);
    const found = reference(v, p);
    if (found !== null) return found;
  }
  return null;
}

describe('duplicateKey', () => {
  it('agrees with a reference on arbitrary documents, whatever the whitespace and escapes', () => {
    fc.assert(
      fc.property(doc, fc.array(space, { minLength: 1, maxLength: 8 }), fc.boolean(), (d, spaces, escapeAll) => {
        let n = 0;
        const text = write(d, () => spaces[n++ % spaces.length] as string, escapeAll);
        expect(duplicateKey(text, JSON.parse(text))).toBe(reference(d));
      }),
      { numRuns: 2_000 },
    );
  });

  it('names the repeated field of a transaction, and passes an ordinary one', () => {
    const ok = '{"transactionId":"tx-1","timestamp":"2024-05-01T12:30:00+02:00","note":"a \\"quoted\\": value","amountMinor":4250}';
    expect(duplicateKey(ok, JSON.parse(ok))).toBeNull();
    const twice = '{"transactionId":"tx-1","amountMinor":1,"currency":"EUR","amountMinor":99999}';
    expect(duplicateKey(twice, JSON.parse(twice))).toBe('/amountMinor');
    const escaped = '{"amountMinor":1,"amount\\u004dinor":2}';
    expect(duplicateKey(escaped, JSON.parse(escaped))).toBe('/amountMinor');
    const nested = '{"a":[{"k":1},{"k":1,"k":2}]}';
    expect(duplicateKey(nested, JSON.parse(nested))).toBe('/a/1/k');
  });
});
