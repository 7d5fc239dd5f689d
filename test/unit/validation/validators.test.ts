import { createValidators } from '../../../src/validation/validators';

const validators = createValidators();

const good = {
  transactionId: 'tx-2024.05:01_a',
  timestamp: '2024-05-01T12:30:00+02:00',
  userId: 'c00042',
  merchantId: 'm01234',
  amountMinor: 1999,
  currency: 'EUR',
  channel: 'ecommerce',
  mcc: '5411',
  merchantCountry: 'DE',
  userCountry: 'FR',
};

function errorsOf(body: unknown) {
  expect(validators.transaction(body)).toBe(false);
  return validators.transaction.errors();
}

describe('transaction validator', () => {
  it('accepts a full transaction and one with only required fields', () => {
    expect(validators.transaction(good)).toBe(true);
    const { channel: _c, mcc: _m, merchantCountry: _mc, userCountry: _uc, ...required } = good;
    expect(validators.transaction(required)).toBe(true);
  });

  it.each([
    ['wrong type', { amountMinor: '1999' }, '/amountMinor', 'must be integer'],
    ['non-integer amount', { amountMinor: 19.99 }, '/amountMinor', 'must be integer'],
    ['zero amount', { amountMinor: 0 }, '/amountMinor', 'must be >= 1'],
    ['amount above 10^11', { amountMinor: 100_000_000_001 }, '/amountMinor', 'must be <= 100000000000'],
    ['overlong id', { transactionId: 'x'.repeat(65) }, '/transactionId', 'must NOT have more than 64 characters'],
    ['empty id', { transactionId: '' }, '/transactionId', 'must NOT have fewer than 1 characters'],
    ['id with a space', { userId: 'a b' }, '/userId', 'must be 1-64 characters of A-Z a-z 0-9 . _ : -'],
    ['date without offset', { timestamp: '2024-05-01T12:30:00' }, '/timestamp', 'must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:30:00Z'],
    ['impossible date', { timestamp: '2023-02-29T00:00:00Z' }, '/timestamp', 'must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:30:00Z'],
    ['date only', { timestamp: '2024-05-01' }, '/timestamp', 'must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:30:00Z'],
    ['unknown currency', { currency: 'EUX' }, '/currency', 'is not a known ISO 4217 currency code'],
    ['lower-case currency', { currency: 'eur' }, '/currency', 'is not a known ISO 4217 currency code'],
    ['unknown channel', { channel: 'phone' }, '/channel', 'must be one of "card_present", "contactless", "ecommerce", "atm"'],
    ['3-digit mcc', { mcc: '541' }, '/mcc', 'must be 4 digits'],
    ['unknown country', { merchantCountry: 'UK' }, '/merchantCountry', 'is not a known ISO 3166-1 alpha-2 country code'],
    ['null optional field', { channel: null }, '/channel', 'must be string'],
    ['extra field', { note: 'hi' }, '/note', 'is not an allowed field'],
  ])('rejects %s', (_name, patch, path, message) => {
    expect(errorsOf({ ...good, ...patch })).toEqual([{ path, message }]);
  });

  it('rejects a __proto__ key as an extra field', () => {
    const body: unknown = JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(good).slice(1)}`);
    expect(errorsOf(body)).toEqual([{ path: '/__proto__', message: 'is not an allowed field' }]);
  });

  it('names every missing field and every bad field at once', () => {
    expect(errorsOf({ transactionId: 'a', amountMinor: -1, extra: 1 })).toEqual(
      expect.arrayContaining([
        { path: '/timestamp', message: 'is required' },
        { path: '/userId', message: 'is required' },
        { path: '/merchantId', message: 'is required' },
        { path: '/currency', message: 'is required' },
        { path: '/extra', message: 'is not an allowed field' },
        { path: '/amountMinor', message: 'must be >= 1' },
      ]),
    );
  });

  it('rejects non-objects at the root', () => {
    for (const body of [null, [], 'x', 42]) expect(errorsOf(body)).toEqual([{ path: '', message: 'must be object' }]);
  });
});

describe('label event validator', () => {
  const label = { transactionId: 'tx1', label: 'fraud', source: 'chargeback', reportedAt: '2024-05-08T00:00:00Z' };

  it('accepts a label event', () => {
    expect(validators.labelEvent(label)).toBe(true);
  });

  it.each([
    ['unknown label', { label: 'maybe' }, '/label', 'must be one of "fraud", "legitimate"'],
    ['unknown source', { source: 'bank' }, '/source', 'must be one of "user_confirmation", "analyst", "chargeback"'],
    ['bad reportedAt', { reportedAt: 'yesterday' }, '/reportedAt', 'must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:30:00Z'],
    ['extra field', { comment: 'x' }, '/comment', 'is not an allowed field'],
  ])('rejects %s', (_name, patch, path, message) => {
    expect(validators.labelEvent({ ...label, ...patch })).toBe(false);
    expect(validators.labelEvent.errors()).toEqual([{ path, message }]);
  });
});
