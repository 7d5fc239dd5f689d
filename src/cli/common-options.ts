import { HANDBOOK_SPLIT } from '../training/protocol/time-split';
import type { FlagSpec, ValueSpec } from './options';

/*
 * Options several commands share, defined once: each command's option table spreads them in.
 */

/** Default registry directory: `--registry`, else MODEL_REGISTRY_DIR, else `models` (what {@link REGISTRY_OPTION} says). */
export function registryDir(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? env.MODEL_REGISTRY_DIR ?? 'models';
}

/** A model registry read (or written) by the command; see {@link registryDir}. */
export const REGISTRY_OPTION = { type: 'string', value: 'DIR', description: 'the model registry', default: 'MODEL_REGISTRY_DIR, else models' } as const satisfies ValueSpec;

/** A directory `fraudctl build-dataset` wrote. */
export const DATASET_OPTION = { type: 'string', value: 'DIR', description: 'the dataset directory fraudctl build-dataset wrote', required: true } as const satisfies ValueSpec;

/** The handbook split's anchor. */
export const TRAIN_START_OPTION = {
  type: 'string',
  value: 'YYYY-MM-DD',
  description: 'first day of the 7 training days of the handbook split (validation the 7 days before; a 7-day delay, then the 7 test days)',
  default: HANDBOOK_SPLIT.trainStart,
} as const satisfies ValueSpec;

/** What the decision thresholds are chosen for, on the validation days. */
export const THRESHOLD_OPTIONS = {
  'max-challenge-rate': { type: 'string', value: 'X', description: 'most transactions that may be challenged or declined together (a fraction)', default: 0.02 },
  'min-decline-precision': { type: 'string', value: 'X', description: 'least share of fraud among declined transactions (a fraction)', default: 0.9 },
} as const satisfies Record<string, ValueSpec>;

/** Makes the new model the champion. */
export const PROMOTE_OPTION = { type: 'boolean', description: 'promote the new model to champion (recorded in the audit trail)' } as const satisfies FlagSpec;
