/** The closed set of answers. */
export type Decision = 'approve' | 'challenge' | 'decline';

/** Why a response was degraded (scored with less than full information, or not by the model). */
export type DegradedReason = 'profile_store_timeout' | 'profile_store_error' | 'profile_store_lost' | 'no_model' | 'model_error' | 'budget_exceeded';

/** The reasons that mean a profile was not read: the vector's features of that profile are NaN. */
export const UNREAD_PROFILE_REASONS: readonly DegradedReason[] = ['profile_store_timeout', 'profile_store_error', 'profile_store_lost'];

/** What a decision record keeps of the rules: the set in force and the rules that hit. */
export interface AppliedRules {
  readonly version: string;
  /** SHA-256 of the set's canonical JSON. */
  readonly hash: string;
  /** Ids of the rules whose condition held, in the set's order. */
  readonly hits: readonly string[];
}

/** The challenger's shadow score (logged, never returned). */
export interface ShadowScore {
  readonly version: string;
  readonly score: number;
}
