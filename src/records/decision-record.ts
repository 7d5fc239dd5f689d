/**
 * The decision record and the values it holds. The record's type is derived from its field table
 * (decision-fields.ts), where each field is documented; this module is where the rest of the code
 * imports it from.
 */
export type { DecisionRecord } from './decision-fields';
export { UNREAD_PROFILE_REASONS, type AppliedRules, type Decision, type DegradedReason, type ShadowScore } from './decision-values';
