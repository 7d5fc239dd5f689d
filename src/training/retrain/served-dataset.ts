import { resolveLabel } from '../../../features';
import type { LoggedDecision } from '../../events/decision-log';
import type { LabelRecord } from '../../events/label-store';

/** Training rows built from what the service served. */
export interface ServedDataset {
  /** Row-major served feature vectors. */
  readonly matrix: Float32Array;
  readonly cols: number;
  /** 1 = fraud as known at `asOf`, 0 = legitimate (labeled so, or unlabeled and matured). */
  readonly labels: Uint8Array;
  readonly eventTime: Float64Array;
  readonly transactionId: readonly string[];
  readonly userId: readonly string[];
  /** Unlabeled transactions newer than the maturity window, left out. */
  readonly immatureExcluded: number;
}

export interface ServedDatasetOptions {
  /** Only labels that arrived (reportedAt) by this moment count, epoch seconds. */
  readonly asOf: number;
  /** Unlabeled transactions older than this are legitimate; newer ones are left out, seconds. */
  readonly maturitySeconds: number;
}

/**
 * Joins served decisions (in event-time order) with the labels known at `asOf`, resolving
 * conflicting labels by precedence (chargeback > analyst > user_confirmation). A transaction
 * decided after `asOf` is ignored. Throws a RangeError when vectors have different lengths.
 */
export function buildServedDataset(decisions: readonly LoggedDecision[], labels: readonly LabelRecord[], opts: ServedDatasetOptions): ServedDataset {
  const known = new Map<string, LabelRecord[]>();
  for (const l of labels) {
    if (l.reportedAtSeconds > opts.asOf) continue;
    const list = known.get(l.transactionId);
    if (list === undefined) known.set(l.transactionId, [l]);
    else list.push(l);
  }
  const rows = [...decisions].filter((d) => d.eventTime <= opts.asOf).sort((a, b) => a.eventTime - b.eventTime || a.applySeq - b.applySeq);
  const cols = rows[0]?.features.length ?? 0;
  const kept: LoggedDecision[] = [];
  const y: number[] = [];
  let immature = 0;
  for (const d of rows) {
    if (d.features.length !== cols) throw new RangeError(`decision ${d.transactionId} has ${d.features.length} features, expected ${cols}`);
    const resolved = resolveLabel(known.get(d.transactionId) ?? []);
    if (resolved === null && d.eventTime > opts.asOf - opts.maturitySeconds) {
      immature++;
      continue;
    }
    kept.push(d);
    y.push(resolved === 'fraud' ? 1 : 0);
  }
  const matrix = new Float32Array(kept.length * cols);
  kept.forEach((d, i) => matrix.set(d.features, i * cols));
  return {
    matrix,
    cols,
    labels: Uint8Array.from(y),
    eventTime: Float64Array.from(kept, (d) => d.eventTime),
    transactionId: kept.map((d) => d.transactionId),
    userId: kept.map((d) => d.transaction.userId),
    immatureExcluded: immature,
  };
}
