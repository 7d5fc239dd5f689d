import { formatRfc3339, type LabelEvent, type Transaction } from '../../features';
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

/** Labels waiting to arrive, earliest first (a binary heap by arrival time). */
export class LabelQueue {
  private readonly heap: ScheduledLabel[] = [];

  push(item: ScheduledLabel): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as ScheduledLabel).at <= item.at) break;
      h[i] = h[p] as ScheduledLabel;
      i = p;
    }
    h[i] = item;
  }

  /** Removes and returns every label due at or before `time`, in arrival order. */
  popUntil(time: number): ScheduledLabel[] {
    const out: ScheduledLabel[] = [];
    while (this.heap.length > 0 && (this.heap[0] as ScheduledLabel).at <= time) out.push(this.pop());
    return out;
  }

  private pop(): ScheduledLabel {
    const h = this.heap;
    const top = h[0] as ScheduledLabel;
    const last = h.pop() as ScheduledLabel;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && (h[l] as ScheduledLabel).at < (m === i ? last.at : (h[m] as ScheduledLabel).at)) m = l;
        if (r < h.length && (h[r] as ScheduledLabel).at < (m === i ? last.at : (h[m] as ScheduledLabel).at)) m = r;
        if (m === i) break;
        h[i] = h[m] as ScheduledLabel;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
