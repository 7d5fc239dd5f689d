import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { canonicalJson } from '../../../features';
import type { DecisionRecord } from '../../../src/records/decision-record';
import type { SqliteValue } from '../../../src/records/decision-field-kinds';
import { DECISION_COLUMNS } from '../../../src/records/decision-fields';
import { forEachStoredRow, packDecisions, unpackDecisions } from '../../../src/records/decision-wire';
import { openSqlite } from '../../../src/records/sqlite/sqlite-database';
import { prepareDecisionInsert, preparePackedDecisionInsert } from '../../../src/records/sqlite/sqlite-decision-log';
import { bytesOf, comparable, decisionRecord } from '../../contract/support/decision-records';
import { transactionArbitrary } from '../../support/transaction-arbitrary';

/** What crosses to the writer thread: a structured clone (v8's serializer, as postMessage uses). */
const acrossThreads = <T>(value: T): T => deserialize(serialize(value)) as T;

describe('decision records packed for the writer thread', () => {
  test('come back equal, field for field, after a structured clone', () => {
    const special = new Float32Array(new Uint32Array([0x7fc00001, 0xffc12345, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x3f800000]).buffer);
    const records = [
      decisionRecord('full', 1_535_796_000, { shadow: { version: 'v2', score: 0.25 }, degraded: true, degradedReasons: ['profile_store_timeout', 'budget_exceeded'] }),
      decisionRecord('nulls', 1_535_796_001, { score: null, modelVersion: null, decision: 'challenge' }),
      decisionRecord('special', 1_535_796_002, { features: special, score: 0.1 + 0.2 }),
      decisionRecord('rules', 1_535_796_003, { decision: 'decline', rules: { version: 'r-2', hash: 'h'.repeat(64), hits: ['velocity', 'blocklist'] }, contributions: Float32Array.from([0.5, -0.25, 2]) }),
      decisionRecord('no-hits', 1_535_796_004, { rules: { version: 'r-2', hash: 'h', hits: [] }, client: null, userReadVersion: null, merchantReadVersion: null, userVersion: null, merchantVersion: null }),
    ];
    const back = unpackDecisions(acrossThreads(packDecisions(records)));
    expect(back.map(comparable)).toEqual(records.map(comparable));
    expect(bytesOf(back[2]?.features ?? new Float32Array())).toEqual(bytesOf(special));
    expect(back[2]?.score).toBe(0.1 + 0.2);
  });

  test('optional transaction fields absent stay absent, and present ones keep their values', () => {
    const base = decisionRecord('opt', 1_535_796_000);
    const bare = { ...base, transaction: { transactionId: 'opt', timestamp: base.transaction.timestamp, userId: 'u', merchantId: 'm', amountMinor: 1, currency: 'EUR' } };
    const rich = { ...base, transactionId: 'rich', transaction: { ...bare.transaction, transactionId: 'rich', channel: 'atm' as const, mcc: '6011', merchantCountry: 'FR', userCountry: 'DE' } };
    const [a, b] = unpackDecisions(acrossThreads(packDecisions([bare, rich])));
    expect(Object.keys(a?.transaction ?? {}).sort()).toEqual(Object.keys(bare.transaction).sort());
    expect(a?.transaction).toEqual(bare.transaction);
    expect(b?.transaction).toEqual(rich.transaction);
  });

  test('vectors of different lengths in one batch keep their own lengths; an empty batch is empty', () => {
    const records = [decisionRecord('a', 1, { features: new Float32Array([1, 2, 3]) }), decisionRecord('b', 2, { features: new Float32Array([4]) }), decisionRecord('c', 3, { features: new Float32Array(0) })];
    const back = unpackDecisions(acrossThreads(packDecisions(records)));
    expect(back.map((r) => [...r.features])).toEqual([[1, 2, 3], [4], []]);
    expect(unpackDecisions(acrossThreads(packDecisions([])))).toEqual([]);
  });
});

/** Records with any transaction, score, shadow, degraded reasons and vector. */
const records: fc.Arbitrary<DecisionRecord[]> = fc.array(
  fc.record({
    transaction: transactionArbitrary,
    score: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    shadow: fc.option(fc.record({ version: fc.constantFrom('v2', 'v"3'), score: fc.double({ min: 0, max: 1, noNaN: true }) }), { nil: null }),
    reasons: fc.subarray(['profile_store_timeout', 'no_model', 'budget_exceeded'] as const),
    features: fc.float32Array({ maxLength: 40 }),
    contributions: fc.option(fc.float32Array({ maxLength: 41 }), { nil: null }),
    rules: fc.option(fc.record({ version: fc.string(), hash: fc.string(), hits: fc.array(fc.string(), { maxLength: 3 }) }), { nil: null }),
  }),
  { maxLength: 12 },
).map((rs) =>
  rs.map((r, i) => {
    const transaction = { ...r.transaction, transactionId: `${r.transaction.transactionId}-${i}` };
    return decisionRecord(transaction.transactionId, 1_535_796_000 + i, { transaction, score: r.score, shadow: r.shadow, degraded: r.reasons.length > 0, degradedReasons: r.reasons, features: r.features, contributions: r.contributions, rules: r.rules });
  }),
);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('packed decision records read as stored rows (the writer thread)', () => {
  test('give the canonical JSON of each transaction, its fields and its vector bytes', () => {
    const at = (name: string) => DECISION_COLUMNS.findIndex((c) => c.name === name);
    fc.assert(
      fc.property(records, (rs) => {
        const seen: SqliteValue[][] = [];
        // The row is reused and its blobs are views into the batch: copy both.
        forEachStoredRow(acrossThreads(packDecisions(rs)), (row) => seen.push(row.map((v) => (Buffer.isBuffer(v) ? Buffer.from(v) : v))));
        expect(seen).toHaveLength(rs.length);
        const unpacked = unpackDecisions(acrossThreads(packDecisions(rs)));
        seen.forEach((row, i) => {
          const r = rs[i] as DecisionRecord;
          const col = (name: string) => row[at(name)];
          expect(col('transaction_json')).toBe(canonicalJson(r.transaction));
          expect(col('transaction_json')).toBe(JSON.stringify(unpacked[i]?.transaction));
          expect(col('request_hash')).toBe(sha256(canonicalJson(r.transaction)));
          expect(['transaction_id', 'user_id', 'merchant_id', 'score', 'shadow_version', 'shadow_score', 'degraded', 'degraded_reasons'].map(col)).toEqual([
            r.transactionId, r.transaction.userId, r.transaction.merchantId, r.score, r.shadow?.version ?? null, r.shadow?.score ?? null, r.degraded ? 1 : 0, JSON.stringify(r.degradedReasons),
          ]);
          expect(bytesOf(new Float32Array(new Uint8Array(col('features') as Buffer).buffer))).toEqual(bytesOf(r.features));
        });
      }),
    );
  });

  test('insert the same rows as the unpacked records do, with the request hash of the canonical JSON', () => {
    fc.assert(
      fc.property(records, (rs) => {
        const packedDb = openSqlite(':memory:');
        const recordDb = openSqlite(':memory:');
        try {
          preparePackedDecisionInsert(packedDb)(acrossThreads(packDecisions(rs)));
          prepareDecisionInsert(recordDb)(unpackDecisions(acrossThreads(packDecisions(rs))));
          const all = 'SELECT * FROM decisions ORDER BY seq';
          const rows = packedDb.prepare(all).all() as { request_hash: string; transaction_json: string }[];
          expect(rows).toEqual(recordDb.prepare(all).all());
          rows.forEach((row, i) => expect(row.request_hash).toBe(sha256(canonicalJson((rs[i] as DecisionRecord).transaction))));
        } finally {
          packedDb.close();
          recordDb.close();
        }
      }),
      { numRuns: 50 },
    );
  });

  test('refuse a truncated batch', () => {
    const packed = packDecisions([decisionRecord('t', 1)]);
    // Cut anywhere: a RangeError (by name: DataView's own comes from the host realm, not jest's).
    for (let n = 1; n < packed.byteLength; n++) expect(() => forEachStoredRow(packed.slice(0, n), () => undefined)).toThrow(expect.objectContaining({ name: 'RangeError' }));
  });
});
