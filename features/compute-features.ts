import { FEATURE_DEFINITIONS } from './definitions';
import { compileEvaluator, evaluatorSource } from './feature-evaluator';
import { PLAN } from './feature-plan';
import type { ProfileState } from './profile-state';
import { parseRfc3339, type EventTime } from './time';
import type { Transaction } from './transaction';

/** Number of features, the length of every vector {@link computeFeatures} returns. */
export const FEATURE_COUNT = PLAN.length;

/** Feature names in vector order. */
export const FEATURE_NAMES: readonly string[] = FEATURE_DEFINITIONS.map((d) => d.name);

/**
 * Evaluation: the definitions compile once into a plan (`feature-plan.ts`) and the plan into one
 * generated function (`feature-evaluator.ts`, `window-source.ts`), which debuggers and stack
 * traces name `fraud-features/evaluator.generated.js` ({@link generatedEvaluatorSource}).
 */
const EVALUATE = compileEvaluator(PLAN, FEATURE_NAMES);

/**
 * The JavaScript {@link computeFeatures} runs, as a debugger lists it under
 * `fraud-features/evaluator.generated.js` (same lines): for reading (`fraudctl spec --evaluator-source`).
 */
export function generatedEvaluatorSource(): string {
  return evaluatorSource(PLAN, FEATURE_NAMES);
}

/**
 * The feature vector of `txn`, in spec order, from the profiles as they were *before* it.
 * `null` for a profile means it could not be read: its features are NaN (the model treats NaN as
 * missing). An entity never seen before is an `emptyProfile()`, not null. Pure: the same inputs
 * always give the same bits. Throws a RangeError if `txn.timestamp` is not RFC 3339.
 * Writes into `out` when given (length {@link FEATURE_COUNT}), else allocates.
 */
export function computeFeatures(
  txn: Transaction,
  user: ProfileState | null,
  merchant: ProfileState | null,
  out: Float32Array = new Float32Array(FEATURE_COUNT),
): Float32Array {
  const time = parseRfc3339(txn.timestamp);
  if (time === null) throw new RangeError(`timestamp is not RFC 3339: ${txn.timestamp}`);
  EVALUATE(txn, time, user, merchant, out);
  return out;
}

/**
 * {@link computeFeatures} for a caller that has parsed `txn.timestamp` already (`time` must be
 * `parseRfc3339(txn.timestamp)`): the replay parses each timestamp once for the features, both
 * profiles' updates and its time column. Writes into `out` (length {@link FEATURE_COUNT}).
 */
export function computeFeaturesAt(txn: Transaction, time: EventTime, user: ProfileState | null, merchant: ProfileState | null, out: Float32Array): Float32Array {
  EVALUATE(txn, time, user, merchant, out);
  return out;
}
