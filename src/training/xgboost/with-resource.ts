import type { DMatrix, DMatrixInit } from './dmatrix';
import type { XGBoost } from './load-xgboost';

/** Anything holding native memory released by free(). */
export interface Freeable {
  free(): void;
}

/**
 * Runs `use(resource)` and frees the resource afterwards, whether `use` returns or throws.
 * Returns what `use` returns; rethrows its error (a failing free() never masks it).
 */
export function withResource<T extends Freeable, R>(resource: T, use: (resource: T) => R): R {
  let result: R;
  try {
    result = use(resource);
  } catch (error) {
    try {
      resource.free();
    } catch {
      // The original error is the one worth reporting.
    }
    throw error;
  }
  resource.free();
  return result;
}

/** Creates a DMatrix, runs `use` with it and frees it. Throws what createDMatrix() or `use` throw. */
export function withDMatrix<R>(xgb: XGBoost, init: DMatrixInit, use: (matrix: DMatrix) => R): R {
  return withResource(xgb.createDMatrix(init), use);
}
