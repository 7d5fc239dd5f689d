import fc from 'fast-check';
import type { Transaction } from '../../features';

/**
 * Validated transactions: every optional field present or not, values including characters JSON
 * escapes (`"`, `\`) and non-ASCII ones.
 */
export const transactionArbitrary: fc.Arbitrary<Transaction> = fc.record(
  {
    transactionId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/),
    timestamp: fc.constantFrom('2018-09-01T10:00:00Z', '2018-09-01T10:00:00.5+02:00'),
    userId: fc.string({ minLength: 1, maxLength: 8 }),
    merchantId: fc.constantFrom('m1', 'm"2', 'm\\3', 'mé'),
    amountMinor: fc.integer({ min: 1, max: 10_000_000 }),
    currency: fc.constantFrom('EUR', 'USD'),
    channel: fc.constantFrom('card_present', 'contactless', 'ecommerce', 'atm') as fc.Arbitrary<NonNullable<Transaction['channel']>>,
    mcc: fc.constantFrom('5411', '6011'),
    merchantCountry: fc.constantFrom('FR', 'DE'),
    userCountry: fc.constantFrom('FR', 'DE'),
  },
  { requiredKeys: ['transactionId', 'timestamp', 'userId', 'merchantId', 'amountMinor', 'currency'] },
);
