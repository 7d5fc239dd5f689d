import type { Logger } from 'pino';
import type { Label } from '../../features';
import type { LabelRecord } from '../records/label-store';
import { userIdFields, type UserIdPolicy } from './user-id-field';

/**
 * Writes one ECS label event (`event.dataset: fraud.label`) per label recorded, for Filebeat →
 * Elasticsearch → Kibana (k8s/kibana/, docs/kibana.md): what lets analysts see the answers to
 * challenges beside the decisions.
 */
export interface LabelEvents {
  /**
   * `record` was just committed (a new label, not a retry of one); `resolvedLabel` is the
   * transaction's label once it is counted (precedence chargeback > analyst > user_confirmation).
   */
  emit(record: LabelRecord, resolvedLabel: Label): void;
}

export const LABEL_EVENTS_OFF: LabelEvents = { emit: () => undefined };

/**
 * Logs one label event (info level): ECS `event.*` fields plus `fraud.*` (transaction_id, the user
 * as `userFields` gives it, merchant_id, label, source, reported_at, resolved_label, client), the
 * user exactly as decision events carry it (see user-id-field.ts: a pseudonym by default, never the
 * raw id then). `reported_at` is the time the label was sent with, in ISO 8601 upper case.
 */
export function writeLabelEvent(logger: Logger, record: LabelRecord, resolvedLabel: Label, userFields: (userId: string) => Readonly<Record<string, string>>): void {
  logger.info(
    {
      event: {
        dataset: 'fraud.label',
        module: 'fraud-scoring',
        kind: 'event',
        action: 'label-recorded',
        outcome: 'success',
      },
      fraud: {
        transaction_id: record.transactionId,
        ...userFields(record.userId),
        merchant_id: record.merchantId,
        label: record.label,
        source: record.source,
        // RFC 3339 allows a lower-case t and z; Elasticsearch's date parser does not, and would
        // refuse the whole event. Upper case is the same instant, offset and fraction kept.
        reported_at: record.reportedAt.toUpperCase(),
        resolved_label: resolvedLabel,
        client: record.client,
      },
    },
    `label ${record.label} (${record.source}) ${record.transactionId}`,
  );
}

/**
 * Label events written on this thread to `logger` (labels are few: no writer thread), with the
 * user-id policy of the decision events. Throws a RangeError for `pseudonym` without a key.
 */
export function createLabelEvents(logger: Logger, opts: { userId: UserIdPolicy }): LabelEvents {
  const userFields = userIdFields(opts.userId);
  return { emit: (record, resolvedLabel) => writeLabelEvent(logger, record, resolvedLabel, userFields) };
}
