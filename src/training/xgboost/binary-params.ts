/** Tree construction algorithms XGBoost offers on CPU. */
export type TreeMethod = 'hist' | 'approx' | 'exact' | 'auto';

/**
 * Typed XGBoost booster parameters for binary classification. Every field is optional; XGBoost's
 * default applies where one is left out, except `treeMethod`, which trainBinary() defaults to "hist".
 */
export interface BinaryParams {
  /** Maximum tree depth (integer ≥ 0). */
  readonly maxDepth?: number;
  /** Learning rate (shrinkage), in (0, 1]. */
  readonly eta?: number;
  /** Row subsampling ratio per round, in (0, 1]. */
  readonly subsample?: number;
  /** Column subsampling ratio per tree, in (0, 1]. */
  readonly colsampleBytree?: number;
  /** Minimum hessian sum in a child. */
  readonly minChildWeight?: number;
  /** L2 regularisation on leaf weights. */
  readonly lambda?: number;
  /** L1 regularisation on leaf weights. */
  readonly alpha?: number;
  /** Minimum loss reduction to split (min_split_loss). */
  readonly gamma?: number;
  /** Weight of positive examples relative to negatives (≈ negatives / positives). */
  readonly scalePosWeight?: number;
  /** Maximum leaf output step; helps very imbalanced logistic regression. */
  readonly maxDeltaStep?: number;
  /** Worker threads (integer); XGBoost uses all cores when left out. */
  readonly nthread?: number;
  /** Random seed (integer). */
  readonly seed?: number;
  readonly treeMethod?: TreeMethod;
  /** Histogram bins per feature for "hist"/"approx" (integer ≥ 2). */
  readonly maxBin?: number;
  /** Initial prediction as a probability in (0, 1). */
  readonly baseScore?: number;
  /** Native log level: 0 silent, 1 warnings, 2 info, 3 debug. */
  readonly verbosity?: 0 | 1 | 2 | 3;
}

/** XGBoost's name for each typed parameter; `true` marks parameters that must be integers. */
const PARAM_NAMES: { readonly [K in keyof Required<BinaryParams>]: readonly [string, boolean] } = {
  maxDepth: ['max_depth', true],
  eta: ['eta', false],
  subsample: ['subsample', false],
  colsampleBytree: ['colsample_bytree', false],
  minChildWeight: ['min_child_weight', false],
  lambda: ['lambda', false],
  alpha: ['alpha', false],
  gamma: ['gamma', false],
  scalePosWeight: ['scale_pos_weight', false],
  maxDeltaStep: ['max_delta_step', false],
  nthread: ['nthread', true],
  seed: ['seed', true],
  treeMethod: ['tree_method', false],
  maxBin: ['max_bin', true],
  baseScore: ['base_score', false],
  verbosity: ['verbosity', true],
};

/**
 * Maps typed parameters to XGBoost's (name, string value) pairs, in declaration order, skipping
 * undefined fields. Range checks are left to XGBoost (it names the parameter in its error).
 * Throws RangeError for a non-finite number or a non-integer where XGBoost needs an integer.
 */
export function toXGBoostParams(params: BinaryParams): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (const key of Object.keys(PARAM_NAMES) as Array<keyof BinaryParams>) {
    const value = params[key];
    if (value === undefined) continue;
    const [name, integer] = PARAM_NAMES[key];
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`XGBoost parameter ${key} must be a finite number, got ${value}`);
      if (integer && !Number.isInteger(value)) throw new RangeError(`XGBoost parameter ${key} must be an integer, got ${value}`);
    }
    pairs.push([name, String(value)]);
  }
  return pairs;
}
