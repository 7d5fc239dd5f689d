import type { FromSchema } from 'json-schema-to-ts';
import { ID_PATTERN } from './transaction';

/**
 * A label for an earlier transaction; it takes effect from `reportedAt` (RFC 3339), its arrival
 * time. Precedence when labels conflict: chargeback > analyst > user_confirmation.
 */
export const labelEventSchema = {
  $id: 'urn:fraud-scoring:label-event:v1',
  type: 'object',
  additionalProperties: false,
  required: ['transactionId', 'label', 'source', 'reportedAt'],
  properties: {
    transactionId: { type: 'string', minLength: 1, maxLength: 64, pattern: ID_PATTERN },
    label: { type: 'string', enum: ['fraud', 'legitimate'] },
    source: { type: 'string', enum: ['user_confirmation', 'analyst', 'chargeback'] },
    reportedAt: { type: 'string', maxLength: 40, format: 'rfc3339' },
  },
} as const;

export type LabelEvent = FromSchema<typeof labelEventSchema>;
export type Label = LabelEvent['label'];
export type LabelSource = LabelEvent['source'];

/** Label sources from lowest to highest precedence. */
export const LABEL_SOURCES: readonly LabelSource[] = labelEventSchema.properties.source.enum;

const SOURCE_RANK: Readonly<Record<LabelSource, number>> = { user_confirmation: 0, analyst: 1, chargeback: 2 };

/**
 * The label a set of reports resolves to: the highest-precedence source wins
 * (chargeback > analyst > user_confirmation); within one source the latest `reportedAt` wins
 * (compared as epoch seconds given by `reportedAtSeconds`); on a full tie `fraud` wins.
 * Returns `null` for no reports.
 */
export function resolveLabel(
  reports: readonly { readonly label: Label; readonly source: LabelSource; readonly reportedAtSeconds: number }[],
): Label | null {
  let best: (typeof reports)[number] | undefined;
  for (const r of reports) {
    if (best === undefined) {
      best = r;
      continue;
    }
    const byRank = SOURCE_RANK[r.source] - SOURCE_RANK[best.source];
    const byTime = r.reportedAtSeconds - best.reportedAtSeconds;
    if (byRank > 0 || (byRank === 0 && (byTime > 0 || (byTime === 0 && r.label === 'fraud')))) best = r;
  }
  return best === undefined ? null : best.label;
}
