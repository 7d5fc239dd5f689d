import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { canonicalJson } from '../../../features';
import type { DecisionRecord } from '../../../src/events/decision-record';
import { forEachStoredDecision, packDecisions, unpackDecisions, type StoredDecision } from '../../../src/events/decision-wire';
import { openSqlite } from '../../../src/events/sqlite-database';
import { prepareDecisionInsert, preparePackedDecisionInsert } from '../../../src/events/sqlite-decision-log';
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
  }),
  { maxLength: 12 },
).map((rs) =>
  rs.map((r, i) => {
    const transaction = { ...r.transaction, transactionId: `${r.transaction.transactionId}-${i}` };
    return decisionRecord(transaction.transactionId, 1_535_796_000 + i, { transaction, score: r.score, shadow: r.shadow, degraded: r.reasons.length > 0, degradedReasons: r.reasons, features: r.features });
  }),
);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('packed decision records read as stored rows (the writer thread)', () => {
  test('give the canonical JSON of each transaction, its fields and its vector bytes', () => {
    fc.assert(
      fc.property(records, (rs) => {
        const seen: StoredDecision[] = [];
        forEachStoredDecision(acrossThreads(packDecisions(rs)), (d) => seen.push({ ...d, features: Buffer.from(d.features) }));
        expect(seen).toHaveLength(rs.length);
        const unpacked = unpackDecisions(acrossThreads(packDecisions(rs)));
        seen.forEach((d, i) => {
          const r = rs[i] as DecisionRecord;
          expect(d.transactionJson).toBe(canonicalJson(r.transaction));
          expect(d.transactionJson).toBe(JSON.stringify(unpacked[i]?.transaction));
          expect([d.fields.transactionId, d.userId, d.merchantId, d.fields.score, d.fields.shadow, d.fields.degradedReasons]).toEqual([r.transactionId, r.transaction.userId, r.transaction.merchantId, r.score, r.shadow, r.degradedReasons]);
          expect(bytesOf(new Float32Array(new Uint8Array(d.features).buffer))).toEqual(bytesOf(r.features));
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
    expect(() => forEachStoredDecision(packed.slice(0, packed.byteLength - 3), () => undefined)).toThrow(RangeError);
  });
});
