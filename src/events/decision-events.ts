import type { Logger } from 'pino';
import type { DecisionRecord } from './decision-record';

/** Writes one ECS decision event per decision (for Filebeat → Elasticsearch → Kibana). */
export interface DecisionEvents {
  emit(record: DecisionRecord): void;
}

const OFF: DecisionEvents = { emit: () => undefined };

/** FNV-1a of a string, as a fraction in [0, 1): a stable per-transaction sampling draw. */
function sampleDraw(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

/**
 * Decision events on the given logger. Challenges and declines are always written; approvals with
 * probability `sampleRate`, decided by the transaction id so a retry makes the same choice.
 * Disabled, it is a null object.
 */
export function createDecisionEvents(logger: Logger, opts: { enabled: boolean; sampleRate: number }): DecisionEvents {
  if (!opts.enabled) return OFF;
  return {
    emit(r) {
      if (r.decision === 'approve' && opts.sampleRate < 1 && sampleDraw(r.transactionId) >= opts.sampleRate) return;
      logger.info(
        {
          event: {
            dataset: 'fraud.decision',
            module: 'fraud-scoring',
            kind: 'event',
            action: 'transaction-scored',
            outcome: 'success',
            duration: Math.round(r.latencyMs * 1e6),
          },
          fraud: {
            transaction_id: r.transactionId,
            user_id: r.transaction.userId,
            merchant_id: r.transaction.merchantId,
            amount_minor: r.transaction.amountMinor,
            currency: r.transaction.currency,
            channel: r.transaction.channel,
            merchant_country: r.transaction.merchantCountry,
            event_time: r.transaction.timestamp,
            decision: r.decision,
            score: r.score,
            model_version: r.modelVersion,
            degraded: r.degraded,
            degraded_reasons: r.degradedReasons,
            challenger: r.shadow,
          },
        },
        `${r.decision} ${r.transactionId}`,
      );
    },
  };
}
