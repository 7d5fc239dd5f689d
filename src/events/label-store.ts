import type { Label, LabelSource } from '../../features';

/** A label as stored, with its arrival time. */
export interface LabelRecord {
  readonly transactionId: string;
  readonly label: Label;
  readonly source: LabelSource;
  /** As sent (RFC 3339). */
  readonly reportedAt: string;
  /** `reportedAt` as epoch seconds: when the label takes effect. */
  readonly reportedAtSeconds: number;
  /** Wall-clock time the service committed it (ISO 8601). */
  readonly receivedAt: string;
  /** Position of its profile update in the service's update sequence; null until applied. */
  readonly applySeq: number | null;
}

/** Outcome of {@link LabelStore.add}. */
export type AddLabelResult =
  | { readonly kind: 'added'; readonly previous: readonly LabelRecord[] }
  | { readonly kind: 'duplicate'; readonly existing: LabelRecord }
  | { readonly kind: 'conflict'; readonly existing: LabelRecord };

/**
 * The label store port (SQLite embedded, PostgreSQL in production). One label per
 * (transactionId, source): the same label again is a `duplicate` (an idempotent retry), a different
 * label from the same source a `conflict`. `add` resolves only once the label is durable (committed),
 * and returns the labels the transaction had before, so the caller can compute the change of its
 * resolved label atomically with the insert.
 */
export interface LabelStore {
  add(label: Omit<LabelRecord, 'receivedAt' | 'applySeq'>, receivedAt: string): Promise<AddLabelResult>;
  /** Records where the label's profile update fell in the update sequence. */
  markApplied(transactionId: string, source: LabelRecord['source'], applySeq: number): Promise<void>;
  /** The largest applySeq recorded (0 when none). */
  maxApplySeq(): Promise<number>;
  forTransaction(transactionId: string): Promise<LabelRecord[]>;
  /** Labels that arrived (reportedAtSeconds) in [from, to), ordered by arrival. */
  listArrived(fromEpochSeconds: number, toEpochSeconds: number): Promise<LabelRecord[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
