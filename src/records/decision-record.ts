import type { Transaction } from '../../features';

/** The closed set of answers. */
export type Decision = 'approve' | 'challenge' | 'decline';

/** Why a response was degraded (scored with less than full information, or not by the model). */
export type DegradedReason = 'profile_store_timeout' | 'profile_store_error' | 'profile_store_lost' | 'no_model' | 'model_error' | 'budget_exceeded';

/** The reasons that mean a profile was not read: the vector's features of that profile are NaN. */
export const UNREAD_PROFILE_REASONS: readonly DegradedReason[] = ['profile_store_timeout', 'profile_store_error', 'profile_store_lost'];

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
  /**
   * Each feature's exact TreeSHAP contribution to the model's margin (log-odds), spec order, then
   * the bias as the last value: `sigmoid(Σ) = score`. Computed when the decision is a challenge or
   * a decline by a tree-ensemble model; null otherwise (an approval's are computed when it is read).
   */
  readonly contributions: Float32Array | null;
  /** P(fraud) from the model; null when no model scored. */
  readonly score: number | null;
  /** The answer: the model's decision after the degraded policy and the guard-rail rules. */
  readonly decision: Decision;
  readonly modelVersion: string | null;
  /**
   * The guard-rail rule set in force (version, hash) and the rules that hit; null when no rule
   * set was configured (or in records written before rules existed).
   */
  readonly rules: AppliedRules | null;
  /** The challenger's shadow score (logged, never returned). */
  readonly shadow: { readonly version: string; readonly score: number } | null;
  readonly degraded: boolean;
  readonly degradedReasons: readonly DegradedReason[];
  /** Server-side time from request start to the decision, milliseconds. */
  readonly latencyMs: number;
  /** Wall-clock time of the decision (ISO 8601). */
  readonly decidedAt: string;
  /**
   * The authenticated client that asked (see src/auth; `anonymous` with AUTH=off); null in
   * records written before clients were recorded.
   */
  readonly client: string | null;
  /**
   * Versions of the user's and the merchant's profile the features were computed from (see
   * `ProfileStore`); null when that profile could not be read (the record is then degraded and
   * its vector is not reproducible by a replay).
   */
  readonly userReadVersion: number | null;
  readonly merchantReadVersion: number | null;
  /**
   * Versions at which this transaction's own change was merged into each profile: its place in
   * that entity's history, which a replay follows. Null while unknown (the store did not answer);
   * reconciliation merges it, idempotently, and records the version.
   */
  readonly userVersion: number | null;
  readonly merchantVersion: number | null;
}

/** What a decision record keeps of the rules: the set in force and the rules that hit. */
export interface AppliedRules {
  readonly version: string;
  /** SHA-256 of the set's canonical JSON. */
  readonly hash: string;
  /** Ids of the rules whose condition held, in the set's order. */
  readonly hits: readonly string[];
}
