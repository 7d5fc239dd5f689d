import type { DecisionRecord } from './decision-record';
import type { DecisionEventRow, TraceIds } from './decision-events';
import { reasonCodesOf } from './decision-reasons';
import { readShadowAndReasons, writeShadowAndReasons } from './decision-wire';
import { WireReader, type WireWriter } from './wire-bytes';

/**
 * Appends the decision-event row of `r` (the fields of `decisionEventRow`, in its order) to `w`:
 * done when the event is emitted, while the record is still in the cache, so that a batch leaves
 * for the writer thread as one transferred buffer (see wire-bytes.ts).
 */
export function writeEventRow(w: WireWriter, r: DecisionRecord, trace: TraceIds | null = null): void {
  const t = r.transaction;
  w.value(r.transactionId);
  w.value(t.userId);
  w.value(t.merchantId);
  w.value(t.amountMinor);
  w.value(t.currency);
  w.value(t.channel);
  w.value(t.merchantCountry);
  w.value(t.timestamp);
  w.value(r.decision);
  w.value(r.score);
  w.value(r.modelVersion);
  w.value(r.degraded);
  writeShadowAndReasons(w, r);
  w.value(r.latencyMs);
  w.value(r.client);
  const codes = reasonCodesOf(r);
  w.value(codes.length);
  for (const code of codes) w.value(code);
  const hits = r.rules?.hits ?? [];
  w.value(hits.length);
  for (const id of hits) w.value(id);
  w.value(r.rules?.version ?? null);
  w.value(trace?.traceId ?? null);
  w.value(trace?.spanId ?? null);
}

/** The rows {@link writeEventRow} appended, in order; each equals `decisionEventRow` of its record. */
export function readEventRows(bytes: ArrayBuffer): DecisionEventRow[] {
  const r = new WireReader(bytes);
  const rows: DecisionEventRow[] = [];
  type Row = DecisionEventRow;
  while (!r.done) {
    const transactionId = r.value() as Row[0];
    const userId = r.value() as Row[1];
    const merchantId = r.value() as Row[2];
    const amountMinor = r.value() as Row[3];
    const currency = r.value() as Row[4];
    const channel = r.value() as Row[5];
    const merchantCountry = r.value() as Row[6];
    const eventTime = r.value() as Row[7];
    const decision = r.value() as Row[8];
    const score = r.value() as Row[9];
    const modelVersion = r.value() as Row[10];
    const degraded = r.value() as Row[11];
    const { shadow: challenger, degradedReasons } = readShadowAndReasons(r);
    const latencyMs = r.value() as Row[14];
    const client = r.value() as Row[15];
    const count = r.value() as number;
    const reasonCodes: string[] = [];
    for (let i = 0; i < count; i++) reasonCodes.push(r.value() as string);
    const ruleHits: string[] = [];
    for (let i = r.value() as number; i > 0; i--) ruleHits.push(r.value() as string);
    const ruleSetVersion = r.value() as Row[18];
    const traceId = r.value() as Row[19];
    const spanId = r.value() as Row[20];
    rows.push([transactionId, userId, merchantId, amountMinor, currency, channel, merchantCountry, eventTime, decision, score, modelVersion, degraded, degradedReasons, challenger, latencyMs, client, reasonCodes, ruleHits, ruleSetVersion, traceId, spanId]);
  }
  return rows;
}
