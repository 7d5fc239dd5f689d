import type { Transaction } from '../../../features';
import { asRecord, DECISION_COLUMNS, DECISION_FIELDS, type RecordDraft } from '../decision-fields';
import type { LoggedDecision } from '../decision-log';
import type { DecisionRecord } from '../decision-record';
import { quoteSchema } from './postgres-schema';

/**
 * A `decisions` row as node-postgres returns it: `seq` and the table's columns (see
 * decision-fields.ts; BIGINT as text, BYTEA as Buffer, JSON parsed, TEXT[] as an array).
 */
export type DecisionRow = { readonly seq: string; readonly transaction_id: string; readonly transaction_json: Transaction } & Readonly<Record<string, unknown>>;

/** The record a row holds. Throws a RangeError on a vector blob that is not float32. */
export function decisionFromRow(row: DecisionRow): LoggedDecision {
  const draft: RecordDraft = { seq: Number(row.seq) };
  for (const f of DECISION_FIELDS) draft[f.key] = f.codec.fromPg(row);
  return asRecord<LoggedDecision>(draft);
}

/**
 * One statement that inserts a whole batch: one array parameter per column, unnested into rows
 * (so the statement, and its prepared plan, do not depend on the batch size, and no batch can
 * exceed the protocol's 65,535 parameters). `ORDER BY ord` makes `seq` follow the batch order;
 * `ON CONFLICT DO NOTHING` keeps the first record of a transactionId, also within one batch (and
 * waits for a concurrent insert of the same id to commit or roll back); the ids it did insert come back.
 */
export function insertDecisionsSql(schema: string): string {
  const names = DECISION_COLUMNS.map((c) => c.name);
  const select = DECISION_COLUMNS.map((c) => (c.pgSelect === null ? `r.${c.name}` : c.pgSelect(`r.${c.name}`)));
  const params = DECISION_COLUMNS.map((c, i) => `$${i + 1}::${c.pgParam}[]`);
  return `INSERT INTO ${quoteSchema(schema)}.decisions (${names.join(', ')})
SELECT ${select.join(', ')}
FROM unnest(${params.join(', ')}) WITH ORDINALITY AS r(${names.join(', ')}, ord)
ORDER BY r.ord
ON CONFLICT (transaction_id) DO NOTHING
RETURNING transaction_id`;
}

/** The parameters of {@link insertDecisionsSql} for a batch: one array per column, batch order. */
export function insertDecisionsParams(batch: readonly DecisionRecord[]): unknown[][] {
  const cols: unknown[][] = DECISION_COLUMNS.map(() => []);
  const row: unknown[] = new Array<unknown>(DECISION_COLUMNS.length).fill(null);
  for (const r of batch) {
    for (const f of DECISION_FIELDS) f.codec.toPg(r[f.key], row, f.at);
    row.forEach((v, i) => cols[i]?.push(v));
  }
  return cols;
}
