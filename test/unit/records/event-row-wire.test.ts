import { decisionEventRow } from '../../../src/telemetry/decision-events';
import { readEventRows, writeEventRow } from '../../../src/records/event-row-wire';
import { WireWriter } from '../../../src/records/wire-bytes';
import { decisionRecord } from '../../contract/support/decision-records';

describe('decision-event rows on the wire', () => {
  it('read back as decisionEventRow of each record, optional fields absent or present', () => {
    const base = decisionRecord('plain', 1_535_796_000);
    const records = [
      base,
      decisionRecord('full', 1_535_796_001, { shadow: { version: 'v2', score: 0.25 }, degraded: true, degradedReasons: ['profile_store_timeout', 'budget_exceeded'] }),
      decisionRecord('nulls', 1_535_796_002, { score: null, modelVersion: null, decision: 'decline' }),
      { ...base, transactionId: 'rich', transaction: { ...base.transaction, transactionId: 'rich', channel: 'atm' as const, merchantCountry: 'FR' } },
    ];
    const w = new WireWriter(16);
    const traces = records.map((_, i) => (i % 2 === 0 ? null : { traceId: `${i}`.repeat(32).slice(0, 32), spanId: 'ab'.repeat(8) }));
    records.forEach((r, i) => writeEventRow(w, r, traces[i]));
    expect(readEventRows(w.finish())).toEqual(records.map((r, i) => decisionEventRow(r, traces[i])));
    expect(readEventRows(new WireWriter().finish())).toEqual([]);
  });
});
