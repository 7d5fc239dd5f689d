import fc from 'fast-check';
import { CHANNELS, COUNTRY_CODES, CURRENCY_CODES, LABEL_SOURCES } from '../../../../features';
import { EventLineDecoder } from '../../../../src/training/dataset/event-line-decoder';
import { createValidators } from '../../../../src/validation/validators';

const validators = createValidators();

/** Decodes one line the way build-dataset hands it over: bytes plus their latin1 text. */
function decode(decoder: EventLineDecoder, line: string) {
  const bytes = Buffer.from(`junk\n${line}\nmore junk`, 'utf8');
  const start = 5;
  const end = start + Buffer.byteLength(line, 'utf8');
  return decoder.decode(bytes, bytes.toString('latin1'), start, end);
}

/** What the ordinary path accepts: JSON.parse, then the stream validator of its type. */
function slowPath(line: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const type = (parsed as { type?: unknown }).type;
  if (type === 'transaction') return validators.streamTransaction(parsed) ? parsed : undefined;
  if (type === 'label') return validators.streamLabelEvent(parsed) ? parsed : undefined;
  return undefined;
}

const idChars = fc.constantFrom(...'abcXYZ019._:-');
const id = fc.string({ unit: idChars, minLength: 1, maxLength: 70 });
const time = fc
  .tuple(fc.integer({ min: 1990, max: 2030 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.constantFrom('Z', '+02:00', '-04:30', '.5Z', 'z'))
  .map(([y, mo, d, h, mi, zone]) => `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:07${zone}`);
const transaction = fc.record(
  {
    type: fc.constant('transaction'),
    transactionId: id,
    timestamp: time,
    userId: id,
    merchantId: id,
    amountMinor: fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom(100_000_000_000, 100_000_000_001, 1e15)),
    // Tabled currencies, ISO codes the rate table lacks (refused), and codes that are not ISO 4217.
    currency: fc.constantFrom('EUR', 'USD', 'JPY', 'GBP', 'CHF', 'SEK', ...CURRENCY_CODES.slice(0, 6), 'XXX', 'eur'),
    channel: fc.constantFrom(...CHANNELS, 'pos'),
    mcc: fc.constantFrom('5411', '0000', '541', '54a1'),
    merchantCountry: fc.constantFrom(...COUNTRY_CODES.slice(0, 20), 'UK', 'be'),
    userCountry: fc.constantFrom('BE', 'FR', 'EU'),
  },
  { requiredKeys: ['type', 'transactionId', 'timestamp', 'userId', 'merchantId', 'amountMinor', 'currency'] },
);
const label = fc.record({
  type: fc.constant('label'),
  transactionId: id,
  label: fc.constantFrom('fraud', 'legitimate', 'Fraud'),
  source: fc.constantFrom(...LABEL_SOURCES, 'bank'),
  reportedAt: time,
});
/** A compact line, then maybe one random edit: an insertion, a deletion or a replacement. */
const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace', 'none'), fc.constantFrom(...' "\\{}[]:,.-+eE0159aZ_\u00e9\u2028\t\n', '\\"', '\\u0041', '"x":1,', '"__proto__":{},'));
const line = fc.tuple(fc.oneof(transaction, label), edit).map(([event, [at, kind, text]]) => {
  const compact = JSON.stringify(event);
  const i = at % (compact.length + 1);
  if (kind === 'insert') return compact.slice(0, i) + text + compact.slice(i);
  if (kind === 'delete') return compact.slice(0, i) + compact.slice(i + 1);
  if (kind === 'replace') return compact.slice(0, i) + text + compact.slice(i + 1);
  return compact;
});

describe('EventLineDecoder', () => {
  it('returns only what JSON.parse and the stream validators accept, and exactly what JSON.parse gives', () => {
    const decoder = new EventLineDecoder();
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(line, (text) => {
        const fast = decode(decoder, text);
        if (fast === undefined) {
          refused++;
          return;
        }
        accepted++;
        expect(slowPath(text)).toEqual(fast);
      }),
      { numRuns: 20_000 },
    );
    // Both outcomes must be common, or the property says little.
    expect(accepted).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(2_000);
  });

  it('decodes every valid compact event, whatever the key order', () => {
    const decoder = new EventLineDecoder();
    fc.assert(
      fc.property(fc.oneof(transaction, label), fc.boolean(), (event, reverse) => {
        const entries = Object.entries(event);
        const text = JSON.stringify(Object.fromEntries(reverse ? entries.reverse() : entries));
        const slow = slowPath(text);
        expect(decode(decoder, text)).toEqual(slow);
      }),
      { numRuns: 5_000 },
    );
  });

  /** A decoder that has just seen a full line of each type, so no field position is unset. */
  function primed(): EventLineDecoder {
    const decoder = new EventLineDecoder();
    decode(decoder, '{"type":"transaction","transactionId":"t0","timestamp":"2018-04-01T00:00:00Z","userId":"u","merchantId":"m","amountMinor":1,"currency":"EUR","channel":"atm","mcc":"5411","merchantCountry":"BE","userCountry":"BE"}');
    decode(decoder, '{"type":"label","transactionId":"t0","label":"fraud","source":"analyst","reportedAt":"2018-04-01T00:00:00Z"}');
    return decoder;
  }

  it.each([
    ['whitespace', '{ "type":"label","transactionId":"t1","label":"fraud","source":"analyst","reportedAt":"2018-04-01T00:00:00Z"}'],
    ['an escape', '{"type":"label","transactionId":"t\\u0031","label":"fraud","source":"analyst","reportedAt":"2018-04-01T00:00:00Z"}'],
    ['a repeated field', '{"type":"label","transactionId":"t1","transactionId":"t2","label":"fraud","source":"analyst","reportedAt":"2018-04-01T00:00:00Z"}'],
    ['an integral float', '{"type":"transaction","transactionId":"t1","timestamp":"2018-04-01T00:00:00Z","userId":"u","merchantId":"m","amountMinor":1.0,"currency":"EUR"}'],
  ])('leaves a valid line with %s to the ordinary path', (_what, text) => {
    expect(decode(primed(), text)).toBeUndefined();
    expect(slowPath(text)).toBeDefined();
  });

  it.each([
    ['a __proto__ key', '{"type":"label","__proto__":{},"transactionId":"t1","label":"fraud","source":"analyst","reportedAt":"2018-04-01T00:00:00Z"}'],
    ['a string amount', '{"type":"transaction","transactionId":"t1","timestamp":"2018-04-01T00:00:00Z","userId":"u","merchantId":"m","amountMinor":"1","currency":"EUR"}'],
    ['a missing field', '{"type":"transaction","transactionId":"t1","timestamp":"2018-04-01T00:00:00Z","userId":"u","amountMinor":1,"currency":"EUR"}'],
    ['a label field on a transaction', '{"type":"transaction","transactionId":"t1","timestamp":"2018-04-01T00:00:00Z","userId":"u","merchantId":"m","amountMinor":1,"currency":"EUR","label":"fraud"}'],
    ['a transaction field on a label', '{"type":"label","transactionId":"t1","label":"fraud","source":"analyst","reportedAt":"2018-04-01T00:00:00Z","userId":"u"}'],
    ['a label without its source', '{"type":"label","transactionId":"t1","label":"fraud","reportedAt":"2018-04-01T00:00:00Z"}'],
    ['no type', '{"transactionId":"t1","label":"fraud","source":"analyst","reportedAt":"2018-04-01T00:00:00Z"}'],
    ['trailing text', '{"type":"label","transactionId":"t1","label":"fraud","source":"analyst","reportedAt":"2018-04-01T00:00:00Z"}x'],
    ['a truncated line', '{"type":"label","transactionId":"t1","label":"fraud","source":"analyst","reportedAt":"2018-04-01'],
  ])('refuses an invalid line with %s', (_what, text) => {
    expect(decode(primed(), text)).toBeUndefined();
    expect(slowPath(text)).toBeUndefined();
  });

  it('decodes a simulator line with every optional field', () => {
    const text = '{"type":"transaction","transactionId":"tx000000000","timestamp":"2018-04-01T00:00:20Z","userId":"c00621","merchantId":"m00409","amountMinor":8545,"currency":"EUR","channel":"ecommerce","mcc":"4899","merchantCountry":"BE","userCountry":"BE"}';
    expect(decode(new EventLineDecoder(), text)).toEqual(JSON.parse(text));
  });

  it('gives back the same user and merchant ids across many distinct ones (the intern table grows)', () => {
    const decoder = new EventLineDecoder();
    const line = (i: number) =>
      `{"type":"transaction","transactionId":"t${i}","timestamp":"2018-04-01T00:00:20Z","userId":"u-${i % 20_000}","merchantId":"${(i * 7919) % 30_011}.m","amountMinor":1,"currency":"EUR"}`;
    const wrong: number[] = [];
    for (let i = 0; i < 60_000; i++) {
      const got = decode(decoder, line(i)) as { userId: string; merchantId: string } | undefined;
      if (got?.userId !== `u-${i % 20_000}` || got.merchantId !== `${(i * 7919) % 30_011}.m`) wrong.push(i);
    }
    expect(wrong).toEqual([]);
  });
});
