import { formatRfc3339 } from '../../../features';
import type { DecisionLog } from '../../../src/records/decision-log';
import type { DecisionRecord } from '../../../src/records/decision-record';

/**
 * A valid decision record for transaction `id` at event time `eventTime` (epoch seconds), with a
 * small feature vector derived from the id; `overrides` replace fields.
 */
export function decisionRecord(id: string, eventTime: number, overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    transactionId: id,
    transaction: {
      transactionId: id,
      timestamp: formatRfc3339(eventTime),
      userId: 'user-1',
      merchantId: 'merchant-7',
      amountMinor: 12_345,
      currency: 'EUR',
      channel: 'ecommerce',
      mcc: '5411',
      merchantCountry: 'FR',
      userCountry: 'DE',
    },
    eventTime,
    features: Float32Array.from([eventTime % 97, 0.1, -2.5, 1e-3]),
    contributions: null,
    rules: null,
    featureSpecHash: 'spec-abc',
    score: 0.125,
    decision: 'approve',
    modelVersion: 'm-1',
    shadow: null,
    degraded: false,
    degradedReasons: [],
    latencyMs: 3.25,
    decidedAt: '2024-05-01T12:00:00.000Z',
    client: 'payments',
    servedBy: 'replica-a/1',
    userReadVersion: eventTime,
    merchantReadVersion: 2 * eventTime,
    userVersion: eventTime + 1,
    merchantVersion: 2 * eventTime + 1,
    ...overrides,
  };
}

/** The float32 little-endian bytes of a vector, for exact (NaN-payload-preserving) comparison. */
export function bytesOf(features: Float32Array): Buffer {
  return Buffer.from(features.buffer, features.byteOffset, features.byteLength);
}

/** A record as compared across adapters: `features` as bytes, without the log position. */
export function comparable(r: DecisionRecord): Record<string, unknown> {
  const { features, ...rest } = r;
  delete (rest as { seq?: number }).seq;
  return { ...rest, features: bytesOf(features).toString('hex') };
}

/** Appends every record, in order. */
export function appendAll(log: DecisionLog, records: readonly DecisionRecord[]): void {
  for (const r of records) log.append(r);
}
