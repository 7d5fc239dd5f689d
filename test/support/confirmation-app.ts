import { formatRfc3339, type LabelEvent, type Transaction } from '../../features';
import { DueQueue } from '../../src/loop/label-queue';
export { seededRandom } from './seeded-random';

/** A label event scheduled to arrive at `at` (epoch seconds). */
export interface ScheduledLabel {
  readonly at: number;
  readonly label: LabelEvent;
}

export interface AppBehaviour {
  /** Seconds until a user answers a challenged or declined payment in the app: [min, max]. */
  readonly answerSeconds: readonly [number, number];
  /** Seconds until a chargeback arrives for a fraud that was approved: [min, max]. */
  readonly chargebackSeconds: readonly [number, number];
}


/**
 * What the bank's users and the card schemes do after a decision: a challenged or declined payment
 * is confirmed or denied by its owner in the app within minutes (the truth: fraud or legitimate);
 * a fraud that got through comes back as a chargeback days later; an approved legitimate payment
 * produces no label at all.
 */
export function feedbackFor(txn: Transaction, eventTime: number, decision: string, isFraud: boolean, b: AppBehaviour, random: () => number): ScheduledLabel | null {
  const within = ([lo, hi]: readonly [number, number]) => Math.floor(lo + random() * (hi - lo));
  if (decision === 'challenge' || decision === 'decline') {
    const at = eventTime + within(b.answerSeconds);
    return { at, label: { transactionId: txn.transactionId, label: isFraud ? 'fraud' : 'legitimate', source: 'user_confirmation', reportedAt: formatRfc3339(at) } };
  }
  if (isFraud) {
    const at = eventTime + within(b.chargebackSeconds);
    return { at, label: { transactionId: txn.transactionId, label: 'fraud', source: 'chargeback', reportedAt: formatRfc3339(at) } };
  }
  return null;
}

/** Labels waiting to arrive, earliest first. */
export class LabelQueue {
  private readonly queue = new DueQueue<ScheduledLabel>();

  push(item: ScheduledLabel): void {
    this.queue.push(item.at, item);
  }

  /** Removes and returns every label due at or before `time`, in arrival order. */
  popUntil(time: number): ScheduledLabel[] {
    return this.queue.popUntil(time).map((s) => s.item);
  }
}
