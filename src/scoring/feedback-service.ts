import { labelDelta, parseRfc3339, resolveLabel, type EntityRole, type Label, type LabelEvent } from '../../features';
import type { DecisionLog } from '../records/decision-log';
import type { DecisionRecord } from '../records/decision-record';
import type { LabelEvents } from '../telemetry/label-events';
import type { LabelRecord, LabelStore } from '../records/label-store';
import { labelClaim, type EntityOutcome, type ProfileStore } from '../store/profile-store';
import type { ServiceMetrics } from '../telemetry/metrics';
import type { Reconciler } from './reconciler';

/** Outcome of `POST /v1/feedback`. */
export type FeedbackOutcome =
  | { readonly kind: 'recorded'; readonly resolvedLabel: Label; readonly duplicate: boolean }
  | { readonly kind: 'unknown_transaction' }
  | { readonly kind: 'conflict'; readonly existing: LabelRecord };

export interface FeedbackDeps {
  readonly decisionLog: DecisionLog;
  readonly labels: LabelStore;
  readonly store: ProfileStore;
  readonly reconciler: Reconciler;
  readonly metrics: ServiceMetrics;
  /** Where each newly recorded label is logged as an ECS event (`LABEL_EVENTS_OFF` for none). */
  readonly events: LabelEvents;
  readonly wallClock: () => Date;
  /** Deadline of the label's profile steps, ms (its change is reconciled when they miss it). */
  readonly storeTimeoutMs: number;
  readonly onBackgroundError: (what: string, err: unknown) => void;
}

const TIMEOUT = Symbol('timeout');

/** How long a shared log is asked again for a decision it does not hold before the label is refused as unknown, ms. */
const UNKNOWN_GRACE_MS = 1_000;

/**
 * Feedback labels (user confirmations, chargebacks, analyst verdicts). A label is committed to the
 * label store before this resolves (so an acknowledged label survives a crash), with the change of
 * the transaction's resolved label it makes (precedence chargeback > analyst > user_confirmation);
 * that change goes into both profiles through the same `labelDelta` the offline replay uses, one
 * step per profile claimed by the label's key, and the versions it got are recorded with the label
 * (or reconciliation merges it later). A retry of the same (transaction, source, label) is a
 * duplicate (no second change, no second label event); the same source with another label is a
 * conflict. Each new label is logged as an ECS label event once committed. A label waits
 * for its decision's record to be durable, so none is ever left pointing at a lost decision.
 * Rejects when the decision log or label store fails (the caller bounds the wait).
 */
export class FeedbackService {
  constructor(private readonly deps: FeedbackDeps) {}

  /** Records `event` from `client` (its name goes into the label record). */
  async record(event: LabelEvent, client: string): Promise<FeedbackOutcome> {
    const { deps } = this;
    const decision = await this.decisionOf(event.transactionId);
    if (decision === null) {
      deps.metrics.labels.inc({ label: event.label, source: event.source, outcome: 'unknown_transaction' });
      return { kind: 'unknown_transaction' };
    }
    // A label is never committed for a decision that could still be lost (one not yet answered,
    // or answered with DECISION_DURABILITY=async): no label outlives its decision.
    await deps.decisionLog.durable(event.transactionId);
    const reportedAtSeconds = (parseRfc3339(event.reportedAt) as { epochSeconds: number }).epochSeconds;
    const txn = decision.transaction;
    const result = await deps.labels.add({ ...event, reportedAtSeconds, userId: txn.userId, merchantId: txn.merchantId, eventTime: decision.eventTime, client }, deps.wallClock().toISOString());
    if (result.kind === 'conflict') {
      deps.metrics.labels.inc({ label: event.label, source: event.source, outcome: 'conflict' });
      return result;
    }
    if (result.kind === 'duplicate') {
      deps.metrics.labels.inc({ label: event.label, source: event.source, outcome: 'duplicate' });
      const all = await deps.labels.forTransaction(event.transactionId);
      return { kind: 'recorded', resolvedLabel: resolveLabel(all) ?? event.label, duplicate: true };
    }
    await this.applyChange(result.record);
    deps.metrics.labels.inc({ label: event.label, source: event.source, outcome: 'recorded' });
    const resolvedLabel = resolveLabel([...result.previous, result.record]) as Label;
    deps.events.emit(result.record, resolvedLabel);
    return { kind: 'recorded', resolvedLabel, duplicate: false };
  }

  /**
   * The decision a label is for. A log shared by replicas may not hold yet a decision another
   * replica answered a moment ago: when its commit was slow that replica persisted the record to
   * its own spill file, replayed into the log within moments. So an id not found is looked up
   * again, with growing pauses, for {@link UNKNOWN_GRACE_MS} before it counts as unknown.
   */
  private async decisionOf(transactionId: string): Promise<DecisionRecord | null> {
    const log = this.deps.decisionLog;
    const found = await log.get(transactionId);
    if (found !== null || log.getSync !== undefined) return found;
    const until = performance.now() + UNKNOWN_GRACE_MS;
    for (let pause = 10; performance.now() < until; pause = Math.min(pause * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      const again = await log.get(transactionId);
      if (again !== null) return again;
    }
    return null;
  }

  /** Merges a committed label's change into both profiles, or leaves it to reconciliation. Never rejects. */
  private async applyChange(label: LabelRecord): Promise<void> {
    const { deps } = this;
    const delta = labelDelta({ userId: label.userId, merchantId: label.merchantId, epochSeconds: label.eventTime }, label.fraudChange);
    if (delta === null) return;
    const claim = labelClaim(label.source, label.transactionId);
    const roles: readonly EntityRole[] = ['user', 'merchant'];
    let steps: Promise<EntityOutcome>[];
    try {
      steps = deps.store.step(roles.map((role) => ({ role, id: role === 'user' ? label.userId : label.merchantId, claim, change: { kind: 'delta', delta } })));
    } catch (err) {
      steps = roles.map(() => Promise.reject(err as Error));
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), deps.storeTimeoutMs);
    });
    try {
      await Promise.all(
        steps.map(async (step, i) => {
          const role = roles[i] as EntityRole;
          let merged: number | null = null;
          try {
            const got = await Promise.race([step, deadline]);
            if (got !== TIMEOUT && got.kind !== 'lost') merged = got.appliedVersion;
          } catch (err) {
            deps.onBackgroundError(`profile change of the label of ${label.transactionId} failed`, err);
          }
          if (merged === null) {
            step.catch(() => undefined);
            deps.metrics.storeErrors.inc({ operation: 'label_step' });
            deps.reconciler.label(label, role);
            return;
          }
          try {
            await deps.labels.markApplied(label.transactionId, label.source, role, merged);
          } catch (err) {
            // The label and its change are durable; only the version record missed: reconciliation finds the claim.
            deps.onBackgroundError(`recording the profile version of the label of ${label.transactionId} failed`, err);
            deps.reconciler.label(label, role);
          }
        }),
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
