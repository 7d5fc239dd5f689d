import { advisoryLockKey, postgresSchemaSql, quoteSchema } from '../../../src/records/postgres/postgres-schema';

describe('quoteSchema', () => {
  test.each(['public', 'fraud_events', '_x1', 'A'.repeat(63)])('quotes the plain identifier %s', (name) => {
    expect(quoteSchema(name)).toBe(`"${name}"`);
  });

  test.each(['', '1abc', 'a-b', 'a"b', 'x"; DROP TABLE y; --', 'ä', 'A'.repeat(64)])('refuses %j with a RangeError naming it', (name) => {
    expect(() => quoteSchema(name)).toThrow(new RangeError(`invalid PostgreSQL schema name "${name}": expected ^[A-Za-z_][A-Za-z0-9_]{0,62}$`));
  });
});

describe('advisoryLockKey', () => {
  test('is a deterministic signed 64-bit integer, distinct per part list', () => {
    const key = advisoryLockKey('fraud-scoring', 'labels', 'public', 't-1');
    expect(advisoryLockKey('fraud-scoring', 'labels', 'public', 't-1')).toBe(key);
    expect(BigInt(key) >= -(2n ** 63n) && BigInt(key) < 2n ** 63n).toBe(true);
    expect(advisoryLockKey('fraud-scoring', 'labels', 'public', 't-2')).not.toBe(key);
    expect(advisoryLockKey('fraud-scoring', 'labels', 'publict', '-1')).not.toBe(key);
  });
});

describe('postgresSchemaSql', () => {
  test('qualifies every table and index with the quoted schema', () => {
    const sql = postgresSchemaSql('s1');
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "s1";');
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "s1".decisions (');
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "s1".labels (');
    expect(sql).toContain('ON "s1".decisions (event_time)');
    expect(sql).toContain('ON "s1".labels (reported_at_seconds)');
    expect(sql).toContain('transaction_id TEXT NOT NULL UNIQUE');
    expect(sql).toContain('UNIQUE (transaction_id, source)');
  });
});
