import { resolveLabel } from '../../../features';
import type { DecisionHistory } from '../../records/decision-history';

/** Training rows built from what the service served, for one time window. */
export interface ServedPart {
  readonly rows: number;
  /** Row-major served feature vectors. */
  readonly data: Float32Array;
  /** 1 = fraud as known at `asOf`, 0 = legitimate (labeled so, or unlabeled and matured). */
  readonly labels: Uint8Array;
  readonly eventTime: Float64Array;
  /** The rows' users (cards), when asked for. */
  readonly userId: readonly string[] | null;
  /** Challenged or declined decisions left out because no label came for them (their outcome is unknown). */
  readonly heldUnlabeled: number;
}

/** A half-open event-time window [from, to), epoch seconds. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

export interface ServedPartsOptions {
  /** Consecutive windows, in time order; each gets its part. */
  readonly windows: readonly TimeWindow[];
  /** Only labels that arrived (reportedAt) by this moment count, epoch seconds. */
  readonly asOf: number;
  readonly specHash: string;
  readonly cols: number;
  /** Which parts keep their rows' user ids. */
  readonly keepUserIds: readonly boolean[];
}

/**
 * Training parts from what the service served: the decisions of each window (spec `specHash`)
 * with their vectors, joined with the labels known at `asOf` (resolved by precedence chargeback >
 * analyst > user_confirmation); unlabeled ones count as legitimate (callers end the last window
 * where transactions have matured), except those the service challenged or declined: such a
 * payment never completed, so no chargeback can come for it and silence says nothing about it.
 * Without a label (the owner's answer, an analyst's) it is left out and counted in `heldUnlabeled`,
 * never taught as legitimate. Streamed from the history in event-time order into arrays
 * sized by a count first: memory is the parts themselves. Throws a RangeError when a vector has
 * another length than `cols`.
 */
export async function loadServedParts(history: DecisionHistory, o: ServedPartsOptions): Promise<ServedPart[]> {
  const counts = await Promise.all(o.windows.map((w) => history.countServed({ ...w, asOf: o.asOf, specHash: o.specHash })));
  const parts = counts.map((n, i) => ({
    rows: n,
    data: new Float32Array(n * o.cols),
    labels: new Uint8Array(n),
    eventTime: new Float64Array(n),
    userId: o.keepUserIds[i] === true ? new Array<string>(n) : null,
    heldUnlabeled: 0,
  }));
  const filled = counts.map(() => 0);
  const first = o.windows[0];
  const last = o.windows[o.windows.length - 1];
  if (first === undefined || last === undefined) return [];
  for await (const row of history.served({ from: first.from, to: last.to, asOf: o.asOf, specHash: o.specHash })) {
    const i = o.windows.findIndex((w) => row.eventTime >= w.from && row.eventTime < w.to);
    const part = parts[i];
    if (part === undefined) continue;
    const at = filled[i] as number;
    // A decision committed between the count and the read does not fit: the count decides.
    if (at >= part.rows) continue;
    if (row.features.length !== o.cols) throw new RangeError(`decision ${row.transactionId} has ${row.features.length} features, expected ${o.cols}`);
    const label = resolveLabel(row.labels);
    if (label === null && row.decision !== 'approve') {
      part.heldUnlabeled++;
      continue;
    }
    part.data.set(row.features, at * o.cols);
    part.labels[at] = label === 'fraud' ? 1 : 0;
    part.eventTime[at] = row.eventTime;
    if (part.userId !== null) part.userId[at] = row.userId;
    filled[i] = at + 1;
  }
  return parts.map((p, i) => {
    const n = filled[i] as number;
    if (n === p.rows) return p;
    return { rows: n, data: p.data.subarray(0, n * o.cols), labels: p.labels.subarray(0, n), eventTime: p.eventTime.subarray(0, n), userId: p.userId?.slice(0, n) ?? null, heldUnlabeled: p.heldUnlabeled };
  });
}
