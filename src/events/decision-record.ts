import type { Transaction } from '../../features';

/** The closed set of answers. */
export type Decision = 'approve' | 'challenge' | 'decline';

/** Why a response was degraded (scored with less than full information, or not by the model). */
export type DegradedReason = 'profile_store_timeout' | 'profile_store_error' | 'no_model' | 'model_error' | 'budget_exceeded';

/**
 * What the service decided for one transaction, kept for audit, retries and retraining. Written
 * to the decision log after the response (batched); `features` are exactly the served vector.
 */
export interface DecisionRecord {
  readonly transactionId: string;
  /**
   * The validated transaction. A retry must equal it field by field (`sameTransaction`); the
   * stored `request_hash` column (SHA-256 of its canonical JSON) is computed when it is written.
   */
  readonly transaction: Transaction;
  /** The transaction's event time, epoch seconds. */
  readonly eventTime: number;
  /** The served feature vector (float32, spec order). */
  readonly features: Float32Array;
  readonly featureSpecHash: string;
  /** P(fraud) from the model; null when no model scored. */
  readonly score: number | null;
  readonly decision: Decision;
  readonly modelVersion: string | null;
  /** The challenger's shadow score (logged, never returned). */
  readonly shadow: { readonly version: string; readonly score: number } | null;
  readonly degraded: boolean;
  readonly degradedReasons: readonly DegradedReason[];
  /** Server-side time from request start to the decision, milliseconds. */
  readonly latencyMs: number;
  /** Wall-clock time of the decision (ISO 8601). */
  readonly decidedAt: string;
  /**
   * Position of this transaction's profile update among every profile update of the service's
   * history (transactions and labels, one sequence): the order an exact replay must follow.
   */
  readonly applySeq: number;
}
