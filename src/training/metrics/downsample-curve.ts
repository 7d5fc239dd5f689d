import type { PrCurve, RocCurve } from './curves';

/** One plotted ROC point; both rates are fractions in [0, 1]. */
export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

/** One plotted precision–recall point; both are fractions in [0, 1]. */
export interface PrPoint {
  readonly recall: number;
  readonly precision: number;
}

/** Default point budget for curves drawn in the report. */
export const DEFAULT_CURVE_POINTS = 500;

/**
 * Picks at most `maxPoints` indices of the polyline (xs[i], ys[i]) for drawing: the first and last
 * points always, and in between the first point at or past each of maxPoints − 1 equal steps of
 * cumulative path length (L1). Steps finer than 1/maxPoints of the path are merged, which is
 * invisible at report resolution; metrics must use the exact curve. Returns increasing indices.
 * Throws RangeError when `maxPoints` < 2 or the arrays differ in length.
 */
export function downsampleIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): number[] {
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) {
    throw new RangeError(`maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  }
  if (xs.length !== ys.length) throw new RangeError(`curve coordinates differ in length: ${xs.length} vs ${ys.length}`);
  const n = xs.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const cumulative = new Float64Array(n);
  for (let i = 1; i < n; i += 1) {
    const dx = Math.abs((xs[i] as number) - (xs[i - 1] as number));
    const dy = Math.abs((ys[i] as number) - (ys[i - 1] as number));
    cumulative[i] = (cumulative[i - 1] as number) + dx + dy;
  }
  const total = cumulative[n - 1] as number;
  const step = total / (maxPoints - 1);
  const picked = [0];
  let next = step;
  for (let i = 1; i < n - 1; i += 1) {
    if ((cumulative[i] as number) >= next && step > 0) {
      picked.push(i);
      // Skip every target this point already reaches, so at most one index per step.
      next = (Math.floor((cumulative[i] as number) / step) + 1) * step;
      if (picked.length >= maxPoints - 1) break;
    }
  }
  picked.push(n - 1);
  return picked;
}

/** The ROC curve thinned to ≤ `maxPoints` points for plotting (see {@link downsampleIndices}). */
export function rocPoints(curve: RocCurve, maxPoints = DEFAULT_CURVE_POINTS): RocPoint[] {
  return downsampleIndices(curve.fpr, curve.tpr, maxPoints).map((i) => ({
    fpr: curve.fpr[i] as number,
    tpr: curve.tpr[i] as number,
  }));
}

/** The PR curve thinned to ≤ `maxPoints` points for plotting (see {@link downsampleIndices}). */
export function prPoints(curve: PrCurve, maxPoints = DEFAULT_CURVE_POINTS): PrPoint[] {
  return downsampleIndices(curve.recall, curve.precision, maxPoints).map((i) => ({
    recall: curve.recall[i] as number,
    precision: curve.precision[i] as number,
  }));
}
