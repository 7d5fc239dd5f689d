import {
  applyTransaction,
  computeFeatures,
  copyProfile,
  emptyProfile,
  fraudIndicatorChange,
  labelDelta,
  resolveLabel,
  applyDelta,
  FEATURE_COUNT,
  type ProfileState,
} from '../../../features';
import type { LoggedDecision } from '../../events/decision-log';
import type { LabelRecord } from '../../events/label-store';

export interface ParityResult {
  /** Logged vectors compared (those inside the window). */
  readonly checked: number;
  readonly mismatches: number;
  readonly mismatchRate: number;
  /** A few mismatching transaction ids, for the error message. */
  readonly examples: readonly string[];
}

export interface ParityInput {
  /** Every logged decision from the start of the profiles' history (or of the seed snapshot). */
  readonly decisions: readonly LoggedDecision[];
  /** Every applied label (applySeq set) over the same span. */
  readonly labels: readonly LabelRecord[];
  /** Profiles the service started from (its PROFILE_SNAPSHOT), if any. */
  readonly seed?: { users: ReadonlyMap<string, ProfileState>; merchants: ReadonlyMap<string, ProfileState> };
  /** Only vectors of decisions with event time in [from, to) are compared (all are replayed). */
  readonly window: { readonly from: number; readonly to: number };
}

/**
 * Replays the service's own history through `features/` — transactions and labels merged in the
 * order the service applied them to profiles (`applySeq`) — and compares each recomputed vector
 * with the one the service logged, bit for bit. Labels are resolved exactly as the service does.
 */
export function checkParity(input: ParityInput): ParityResult {
  const users = new Map<string, ProfileState>();
  const merchants = new Map<string, ProfileState>();
  for (const [id, p] of input.seed?.users ?? []) users.set(id, copyProfile(p));
  for (const [id, p] of input.seed?.merchants ?? []) merchants.set(id, copyProfile(p));
  const profile = (map: Map<string, ProfileState>, id: string) => {
    let p = map.get(id);
    if (p === undefined) {
      p = emptyProfile();
      map.set(id, p);
    }
    return p;
  };
  type Step = { seq: number; decision?: LoggedDecision; label?: LabelRecord };
  const steps: Step[] = [
    ...input.decisions.map((d) => ({ seq: d.applySeq, decision: d })),
    ...input.labels.filter((l) => l.applySeq !== null).map((l) => ({ seq: l.applySeq as number, label: l })),
  ].sort((a, b) => a.seq - b.seq);
  const byId = new Map(input.decisions.map((d) => [d.transactionId, d]));
  const applied = new Map<string, LabelRecord[]>();
  const out = new Float32Array(FEATURE_COUNT);
  let checked = 0;
  let mismatches = 0;
  const examples: string[] = [];
  for (const step of steps) {
    if (step.decision !== undefined) {
      const d = step.decision;
      const txn = d.transaction;
      const user = profile(users, txn.userId);
      const merchant = profile(merchants, txn.merchantId);
      if (d.eventTime >= input.window.from && d.eventTime < input.window.to && !d.degraded) {
        computeFeatures(txn, user, merchant, out);
        checked++;
        const same = out.length === d.features.length && Buffer.from(out.buffer).equals(Buffer.from(d.features.buffer, d.features.byteOffset, d.features.byteLength));
        if (!same) {
          mismatches++;
          if (examples.length < 5) examples.push(d.transactionId);
        }
      }
      applyTransaction(user, 'user', txn);
      applyTransaction(merchant, 'merchant', txn);
    } else if (step.label !== undefined) {
      const l = step.label;
      const d = byId.get(l.transactionId);
      if (d === undefined) continue;
      const before = applied.get(l.transactionId) ?? [];
      const after = [...before, l];
      applied.set(l.transactionId, after);
      const delta = labelDelta({ userId: d.transaction.userId, merchantId: d.transaction.merchantId, epochSeconds: d.eventTime }, fraudIndicatorChange(resolveLabel(before), resolveLabel(after)));
      if (delta !== null) {
        applyDelta(profile(users, d.transaction.userId), delta);
        applyDelta(profile(merchants, d.transaction.merchantId), delta);
      }
    }
  }
  return { checked, mismatches, mismatchRate: checked === 0 ? 0 : mismatches / checked, examples };
}
