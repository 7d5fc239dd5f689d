import { fraudIndicatorChange, labelDelta, parseRfc3339, resolveLabel, type Label, type LabelEvent } from '../../features';
import type { DecisionLog } from '../events/decision-log';
import type { LabelRecord, LabelStore } from '../events/label-store';
import type { ProfileStore } from '../store/profile-store';
import type { ServiceMetrics } from '../telemetry/metrics';
import type { ApplySequence } from './apply-sequence';

/** Outcome of `POST /v1/feedback`. */
export type FeedbackOutcome =
  | { readonly kind: 'recorded'; readonly resolvedLabel: Label; readonly duplicate: boolean }
  | { readonly kind: 'unknown_transaction' }
  | { readonly kind: 'conflict'; readonly existing: LabelRecord };

export interface FeedbackDeps {
  readonly sequence: ApplySequence;
  readonly decisionLog: DecisionLog;
  readonly labels: LabelStore;
  readonly store: ProfileStore;
  readonly metrics: ServiceMetrics;
  readonly wallClock: () => Date;
  readonly onBackgroundError: (what: string, err: unknown) => void;
}

/**
 * Feedback labels (user confirmations, chargebacks, analyst verdicts). A label is committed to the
 * label store before this resolves (so an acknowledged label survives a crash), then its change of
 * the transaction's resolved label (precedence chargeback > analyst > user_confirmation) goes into
 * both profiles through the same `labelDelta` the offline replay uses. A retry of the same
 * (transaction, source, label) is a duplicate (no second update); the same source with another
 * label is a conflict.
 */
export class FeedbackService {
  constructor(private readonly deps: FeedbackDeps) {}

  async record(event: LabelEvent): Promise<FeedbackOutcome> {
    const { deps } = this;
    const decision = await deps.decisionLog.get(event.transactionId);
    if (decision === null) {
      deps.metrics.labels.inc({ label: event.label, source: event.source, outcome: 'unknown_transaction' });
      return { kind: 'unknown_transaction' };
    }
    const reportedAtSeconds = (parseRfc3339(event.reportedAt) as { epochSeconds: number }).epochSeconds;
    const result = await deps.labels.add({ ...event, reportedAtSeconds }, deps.wallClock().toISOString());
    if (result.kind === 'conflict') {
      deps.metrics.labels.inc({ label: event.label, source: event.source, outcome: 'conflict' });
      return result;
    }
    if (result.kind === 'duplicate') {
      deps.metrics.labels.inc({ label: event.label, source: event.source, outcome: 'duplicate' });
      const all = await deps.labels.forTransaction(event.transactionId);
      return { kind: 'recorded', resolvedLabel: resolveLabel(all) ?? event.label, duplicate: true };
    }
    const before = resolveLabel(result.previous);
    const after = resolveLabel([...result.previous, { ...event, reportedAtSeconds }]) as Label;
    const delta = labelDelta({ userId: decision.transaction.userId, merchantId: decision.transaction.merchantId, epochSeconds: decision.eventTime }, fraudIndicatorChange(before, after));
    // The label's place in the update sequence is taken where its update is issued (before any await),
    // and recorded with the label, so a replay applies it between the same transactions.
    const seq = deps.sequence.next();
    const applied =
      delta === null
        ? Promise.resolve()
        : deps.store.apply([
            { role: 'user', id: decision.transaction.userId, delta },
            { role: 'merchant', id: decision.transaction.merchantId, delta },
          ]);
    try {
      await applied;
      await deps.labels.markApplied(event.transactionId, event.source, seq);
    } catch (err) {
      // The label itself is durable; only the profile counters (or its sequence number) missed it.
      deps.metrics.storeErrors.inc({ operation: 'apply_label' });
      deps.onBackgroundError(`profile update for label of ${event.transactionId} failed`, err);
    }
    deps.metrics.labels.inc({ label: event.label, source: event.source, outcome: 'recorded' });
    return { kind: 'recorded', resolvedLabel: after, duplicate: false };
  }
}
