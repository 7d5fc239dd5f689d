/** Evaluation metrics trainBinary() can early-stop on. */
export type EvalMetric = 'aucpr' | 'auc' | 'logloss' | 'error';

/** Whether a larger value of the metric is better. */
export function isMaximized(metric: EvalMetric): boolean {
  switch (metric) {
    case 'aucpr':
    case 'auc':
      return true;
    case 'logloss':
    case 'error':
      return false;
  }
}

/** True when `candidate` strictly improves on `best` (NaN never improves; anything beats NaN). */
export function improves(metric: EvalMetric, candidate: number, best: number): boolean {
  if (Number.isNaN(candidate)) return false;
  if (Number.isNaN(best)) return true;
  return isMaximized(metric) ? candidate > best : candidate < best;
}
