import { deserialize, serialize } from 'node:v8';
import { packDecisions, unpackDecisions } from '../../../src/events/decision-wire';
import { bytesOf, comparable, decisionRecord } from '../../contract/support/decision-records';

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
