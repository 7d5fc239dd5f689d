import type { Transaction } from '../../features';
import { requestHash } from '../scoring/request-hash';
import { featureBytes, featuresFromBytes } from './decision-codec';
import type { LoggedDecision } from './decision-log';
import type { Decision, DecisionRecord, DegradedReason } from './decision-record';
import { quoteSchema } from './postgres-schema';

/** A `decisions` row as node-postgres returns it (BIGINT as text, BYTEA as Buffer, JSON parsed). */
export interface DecisionRow {
  seq: string;
  transaction_id: string;
  request_hash: string;
  event_time: string;
  transaction_json: Transaction;
  features: Buffer;
  feature_spec_hash: string;
  score: number | null;
  decision: string;
  model_version: string | null;
  shadow_version: string | null;
  shadow_score: number | null;
  degraded: boolean;
  degraded_reasons: string[];
  latency_ms: number;
  decided_at: string;
  client: string | null;
  user_read_version: string | null;
  merchant_read_version: string | null;
  user_version: string | null;
  merchant_version: string | null;
  contributions: Buffer | null;
  rules: DecisionRecord['rules'];
}

const nullableNumber = (v: string | null): number | null => (v === null ? null : Number(v));

/** The record a row holds. Throws a RangeError on a feature blob that is not float32. */
export function decisionFromRow(r: DecisionRow): LoggedDecision {
  return {
    seq: Number(r.seq),
    transactionId: r.transaction_id,
    transaction: r.transaction_json,
    eventTime: Number(r.event_time),
    features: featuresFromBytes(r.features),
    featureSpecHash: r.feature_spec_hash,
    score: r.score,
    decision: r.decision as Decision,
    modelVersion: r.model_version,
    shadow: r.shadow_version === null || r.shadow_score === null ? null : { version: r.shadow_version, score: r.shadow_score },
    degraded: r.degraded,
    degradedReasons: r.degraded_reasons as DegradedReason[],
    latencyMs: r.latency_ms,
    decidedAt: r.decided_at,
    client: r.client,
    userReadVersion: nullableNumber(r.user_read_version),
    merchantReadVersion: nullableNumber(r.merchant_read_version),
    userVersion: nullableNumber(r.user_version),
    merchantVersion: nullableNumber(r.merchant_version),
    contributions: r.contributions === null ? null : featuresFromBytes(r.contributions),
    rules: r.rules,
  };
}

/** Inserted columns, each with the array type its parameter is sent as. */
const COLUMNS: readonly (readonly [name: string, arrayType: string])[] = [
  ['transaction_id', 'text'], ['request_hash', 'text'], ['event_time', 'bigint'], ['user_id', 'text'], ['merchant_id', 'text'],
  ['transaction_json', 'json'], ['features', 'bytea'], ['feature_spec_hash', 'text'], ['score', 'float8'], ['decision', 'text'],
  ['model_version', 'text'], ['shadow_version', 'text'], ['shadow_score', 'float8'], ['degraded', 'boolean'],
  ['degraded_reasons', 'json'], ['latency_ms', 'float8'], ['decided_at', 'text'], ['client', 'text'],
  ['user_read_version', 'bigint'], ['merchant_read_version', 'bigint'], ['user_version', 'bigint'], ['merchant_version', 'bigint'],
  ['contributions', 'bytea'], ['rules', 'jsonb'],
];

/**
 * One statement that inserts a whole batch: one array parameter per column, unnested into rows
 * (so the statement, and its prepared plan, do not depend on the batch size, and no batch can
 * exceed the protocol's 65,535 parameters). `ORDER BY ord` makes `seq` follow the batch order;
 * `ON CONFLICT DO NOTHING` keeps the first record of a transactionId, also within one batch (and
 * waits for a concurrent insert of the same id to commit or roll back); the ids it did insert come back.
 */
export function insertDecisionsSql(schema: string): string {
  const names = COLUMNS.map(([n]) => n);
  const select = names.map((n) => (n === 'degraded_reasons' ? 'ARRAY(SELECT json_array_elements_text(r.degraded_reasons))' : `r.${n}`));
  const params = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`);
  return `INSERT INTO ${quoteSchema(schema)}.decisions (${names.join(', ')})
SELECT ${select.join(', ')}
FROM unnest(${params.join(', ')}) WITH ORDINALITY AS r(${names.join(', ')}, ord)
ORDER BY r.ord
ON CONFLICT (transaction_id) DO NOTHING
RETURNING transaction_id`;
}

/** The parameters of {@link insertDecisionsSql} for a batch: one array per column, batch order. */
export function insertDecisionsParams(batch: readonly DecisionRecord[]): unknown[][] {
  const cols: unknown[][] = COLUMNS.map(() => []);
  for (const r of batch) {
    const row: unknown[] = [
      r.transactionId, requestHash(r.transaction), r.eventTime, r.transaction.userId, r.transaction.merchantId, JSON.stringify(r.transaction),
      featureBytes(r.features), r.featureSpecHash, r.score, r.decision, r.modelVersion, r.shadow?.version ?? null,
      r.shadow?.score ?? null, r.degraded, JSON.stringify(r.degradedReasons), r.latencyMs, r.decidedAt,
      r.client, r.userReadVersion, r.merchantReadVersion, r.userVersion, r.merchantVersion,
      r.contributions === null ? null : featureBytes(r.contributions), r.rules === null ? null : JSON.stringify(r.rules),
    ];
    row.forEach((v, i) => cols[i]?.push(v));
  }
  return cols;
}
