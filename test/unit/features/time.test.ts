import fc from 'fast-check';
import { formatRfc3339, parseRfc3339 } from '../../../features';

describe('parseRfc3339', () => {
  it.each([
    ['2018-04-01T00:00:31Z', 1522540831, 0],
    ['2018-04-01t00:00:31z', 1522540831, 0],
    ['2018-04-01T02:00:31+02:00', 1522540831, 120],
    ['2018-03-31T19:30:31-04:30', 1522540831, -270],
    ['2018-04-01T00:00:31.999999Z', 1522540831, 0],
    ['2024-02-29T23:59:59Z', 1709251199, 0],
    ['1969-12-31T23:59:59Z', -1, 0],
    ['0001-01-01T00:00:00Z', -62135596800, 0],
  ])('%s -> %d s, offset %d min', (text, seconds, offset) => {
    expect(parseRfc3339(text)).toEqual({ epochSeconds: seconds, offsetMinutes: offset });
  });

  it('agrees with Date.parse on many instants', () => {
    for (let s = -2e9; s < 4e9; s += 7_777_777) {
      const iso = new Date(s * 1000).toISOString();
      expect(parseRfc3339(iso)?.epochSeconds).toBe(s);
    }
  });

  it.each([
    '2018-04-01T00:00:31', // no offset
    '2018-04-01 00:00:31Z', // space separator
    '2018-04-01T24:00:00Z',
    '2018-04-01T23:60:00Z',
    '2016-12-31T23:59:60Z', // leap second
    '2023-02-29T00:00:00Z',
    '2018-13-01T00:00:00Z',
    '2018-04-31T00:00:00Z',
    '2018-04-01T00:00:00+24:00',
    '2018-04-01T00:00:00+0200',
    '0000-01-01T00:00:00Z',
    '2018-04-01T00:00:00.Z',
    ' 2018-04-01T00:00:00Z',
  ])('rejects %s', (text) => {
    expect(parseRfc3339(text)).toBeNull();
  });

  it('formats whole seconds as UTC', () => {
    expect(formatRfc3339(1522540831)).toBe('2018-04-01T00:00:31Z');
  });
});

describe('parseRfc3339 compact shapes', () => {
  // The compact shapes skip the regex; writing the same instant with a lower-case `t` / `z` forces
  // the full grammar, so the two paths can be compared on any digits, valid or not.
  const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
  const compact = fc
    .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.constantFrom('Z', '+', '-'), digits(2), digits(2))
    .map(([y, mo, d, h, mi, s, zone, oh, om]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${zone === 'Z' ? 'Z' : `${zone}${oh}:${om}`}`);

  it('gives what the full grammar gives', () => {
    fc.assert(
      fc.property(compact, (text) => {
        const slow = parseRfc3339(text.replace('T', 't').replace('Z', 'z'));
        expect(parseRfc3339(text)).toEqual(slow);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves other shapes to the full grammar', () => {
    expect(parseRfc3339('2018-04-01T00:00:31.5Z')).toEqual({ epochSeconds: 1522540831, offsetMinutes: 0 });
    expect(parseRfc3339('2018-04-01T00:00:31+0200')).toBeNull();
    expect(parseRfc3339('2018-04-01 00:00:31Z')).toBeNull();
    expect(parseRfc3339('2018-04-01T00:00:3AZ')).toBeNull();
  });
});
