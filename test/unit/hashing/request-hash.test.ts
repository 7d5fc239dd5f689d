import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { canonicalJson, type Transaction } from '../../../features';
import { openSqlite } from '../../../src/records/sqlite/sqlite-database';
import { prepareDecisionInsert } from '../../../src/records/sqlite/sqlite-decision-log';
import { requestHash, sameTransaction } from '../../../src/hashing/request-hash';
import { decisionRecord } from '../../contract/support/decision-records';
import { transactionArbitrary } from '../../support/transaction-arbitrary';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const transaction = transactionArbitrary;

/** The same fields in another key order. */
const reordered = (t: Transaction): Transaction => Object.fromEntries(Object.entries(t).reverse()) as unknown as Transaction;

describe('requestHash and sameTransaction', () => {
  test('requestHash is the SHA-256 of the canonical JSON, whatever the key order', () => {
    fc.assert(
      fc.property(transaction, (t) => {
        expect(requestHash(t)).toBe(sha256(canonicalJson(t)));
        expect(requestHash(reordered(t))).toBe(requestHash(t));
      }),
    );
  });

  test('sameTransaction holds exactly when the canonical JSON (so the hash) is equal', () => {
    fc.assert(
      fc.property(transaction, transaction, fc.boolean(), (a, other, copy) => {
        const b = copy ? reordered({ ...a }) : other;
        expect(sameTransaction(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
        expect(sameTransaction(a, b)).toBe(requestHash(a) === requestHash(b));
      }),
    );
  });

  test('one differing field, an extra optional field or a missing one makes another transaction', () => {
    const t: Transaction = { transactionId: 't1', timestamp: '2018-09-01T10:00:00Z', userId: 'u', merchantId: 'm', amountMinor: 100, currency: 'EUR' };
    expect(sameTransaction(t, { ...t })).toBe(true);
    expect(sameTransaction(t, { ...t, amountMinor: 101 })).toBe(false);
    expect(sameTransaction(t, { ...t, channel: 'atm' })).toBe(false);
    expect(sameTransaction({ ...t, mcc: '5411' }, t)).toBe(false);
  });

  test('the decision log stores requestHash(transaction) in request_hash, computed when written', () => {
    const db = openSqlite(':memory:');
    const record = decisionRecord('stored-1', 1_535_796_000);
    prepareDecisionInsert(db)([record]);
    const row = db.prepare('SELECT request_hash FROM decisions WHERE transaction_id = ?').get('stored-1') as { request_hash: string };
    expect(row.request_hash).toBe(sha256(canonicalJson(record.transaction)));
    db.close();
  });
});
