import type { Transaction } from '../../features';
import { TRANSACTION_FIELDS as FIELDS } from '../scoring/request-hash';
import type { DecisionRecord } from './decision-record';

/** A record's scalar fields, in a fixed order after the transaction's. */
type Row = unknown[];

/**
 * A batch of decision records as sent to the writer thread: the feature vectors in one
 * Float32Array and each record as an array of values. The structured clone of an object writes
 * every property name of every record again; this form writes none and clones one buffer for the
 * vectors, about half the cost on the sending (scoring) thread.
 */
export interface PackedDecisions {
  /** Record i's vector is features[offsets[i], offsets[i + 1]). */
  readonly offsets: Uint32Array;
  readonly features: Float32Array;
  readonly rows: readonly Row[];
}

/** Packs records for the writer thread. */
export function packDecisions(batch: readonly DecisionRecord[]): PackedDecisions {
  const offsets = new Uint32Array(batch.length + 1);
  for (let i = 0; i < batch.length; i++) offsets[i + 1] = (offsets[i] as number) + (batch[i] as DecisionRecord).features.length;
  const features = new Float32Array(offsets[batch.length] as number);
  const rows: Row[] = new Array<Row>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const r = batch[i] as DecisionRecord;
    features.set(r.features, offsets[i]);
    const row: Row = new Array<unknown>(FIELDS.length + 12);
    let k = 0;
    for (const f of FIELDS) row[k++] = r.transaction[f];
    row[k++] = r.transactionId;
    row[k++] = r.eventTime;
    row[k++] = r.featureSpecHash;
    row[k++] = r.score;
    row[k++] = r.decision;
    row[k++] = r.modelVersion;
    row[k++] = r.shadow;
    row[k++] = r.degraded;
    row[k++] = r.degradedReasons;
    row[k++] = r.latencyMs;
    row[k++] = r.decidedAt;
    row[k] = r.applySeq;
    rows[i] = row;
  }
  return { offsets, features, rows };
}

/** The records {@link packDecisions} packed, equal field for field (absent optional fields stay absent). */
export function unpackDecisions(packed: PackedDecisions): DecisionRecord[] {
  const { offsets, features, rows } = packed;
  return rows.map((row, i) => {
    const transaction: Record<string, unknown> = {};
    let k = 0;
    for (const f of FIELDS) {
      const v = row[k++];
      if (v !== undefined) transaction[f] = v;
    }
    return {
      transactionId: row[k++] as string,
      transaction: transaction as unknown as Transaction,
      features: features.slice(offsets[i], offsets[i + 1]),
      eventTime: row[k++] as number,
      featureSpecHash: row[k++] as string,
      score: row[k++] as number | null,
      decision: row[k++] as DecisionRecord['decision'],
      modelVersion: row[k++] as string | null,
      shadow: row[k++] as DecisionRecord['shadow'],
      degraded: row[k++] as boolean,
      degradedReasons: row[k++] as DecisionRecord['degradedReasons'],
      latencyMs: row[k++] as number,
      decidedAt: row[k++] as string,
      applySeq: row[k] as number,
    };
  });
}
