import type Database from 'better-sqlite3';
import type { Transaction } from '../../features';
import { BufferedWriter, type BufferedWriterOptions } from './buffered-writer';
import { decisionCodec, featureBytes, featuresFromBytes } from './decision-codec';
import type { DecisionLog, DecisionRange, LoggedDecision } from './decision-log';
import type { Decision, DecisionRecord, DegradedReason } from './decision-record';

interface Row {
  seq: number;
  transaction_id: string;
  request_hash: string;
  event_time: number;
  transaction_json: string;
  features: Buffer;
  feature_spec_hash: string;
  score: number | null;
  decision: string;
  model_version: string | null;
  shadow_version: string | null;
  shadow_score: number | null;
  degraded: number;
  degraded_reasons: string;
  latency_ms: number;
  decided_at: string;
  apply_seq: number;
}

function fromRow(r: Row): LoggedDecision {
  return {
    seq: r.seq,
    transactionId: r.transaction_id,
    requestHash: r.request_hash,
    transaction: JSON.parse(r.transaction_json) as Transaction,
    eventTime: r.event_time,
    features: featuresFromBytes(r.features),
    featureSpecHash: r.feature_spec_hash,
    score: r.score,
    decision: r.decision as Decision,
    modelVersion: r.model_version,
    shadow: r.shadow_version === null || r.shadow_score === null ? null : { version: r.shadow_version, score: r.shadow_score },
    degraded: r.degraded === 1,
    degradedReasons: JSON.parse(r.degraded_reasons) as DegradedReason[],
    latencyMs: r.latency_ms,
    decidedAt: r.decided_at,
    applySeq: r.apply_seq,
  };
}

export type WriterOptions = Omit<BufferedWriterOptions<DecisionRecord>, 'codec'>;

/** The embedded decision log: a SQLite table written in batched transactions. */
export class SqliteDecisionLog implements DecisionLog {
  readonly kind = 'sqlite';
  private readonly writer: BufferedWriter<DecisionRecord>;
  private readonly byId = new Map<string, DecisionRecord>();
  private readonly selectOne: Database.Statement<[string], Row>;
  private readonly selectRange: Database.Statement<[number, number], Row>;

  constructor(
    private readonly db: Database.Database,
    writer: WriterOptions,
  ) {
    const insert = db.prepare(
      `INSERT OR IGNORE INTO decisions (transaction_id, request_hash, event_time, user_id, merchant_id, transaction_json, features,
        feature_spec_hash, score, decision, model_version, shadow_version, shadow_score, degraded, degraded_reasons, latency_ms, decided_at, apply_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertAll = db.transaction((batch: readonly DecisionRecord[]) => {
      for (const r of batch) {
        insert.run(
          r.transactionId, r.requestHash, r.eventTime, r.transaction.userId, r.transaction.merchantId, JSON.stringify(r.transaction),
          featureBytes(r.features), r.featureSpecHash, r.score, r.decision, r.modelVersion, r.shadow?.version ?? null,
          r.shadow?.score ?? null, r.degraded ? 1 : 0, JSON.stringify(r.degradedReasons), r.latencyMs, r.decidedAt, r.applySeq,
        );
      }
    });
    this.selectOne = db.prepare('SELECT * FROM decisions WHERE transaction_id = ?');
    this.selectRange = db.prepare('SELECT * FROM decisions WHERE event_time >= ? AND event_time < ? ORDER BY seq');
    this.writer = new BufferedWriter(
      {
        write: (batch) => {
          insertAll(batch);
          return Promise.resolve();
        },
      },
      {
        ...writer,
        codec: decisionCodec,
        onWritten: (items) => {
          // By id, not identity: records replayed from the spill file are decoded copies. The
          // entry held is the first record for the id, written no later than any copy (order is kept).
          for (const r of items) this.byId.delete(r.transactionId);
          writer.onWritten?.(items);
        },
      },
    );
  }

  append(record: DecisionRecord): void {
    if (!this.byId.has(record.transactionId)) this.byId.set(record.transactionId, record);
    this.writer.push(record);
  }

  get(transactionId: string): Promise<DecisionRecord | null> {
    const pending = this.byId.get(transactionId);
    if (pending !== undefined) return Promise.resolve(pending);
    const row = this.selectOne.get(transactionId);
    return Promise.resolve(row === undefined ? null : fromRow(row));
  }

  list(range: DecisionRange): Promise<LoggedDecision[]> {
    return Promise.resolve(this.selectRange.all(range.fromEpochSeconds, range.toEpochSeconds).map(fromRow));
  }

  pending(): number {
    return this.writer.pending();
  }

  maxApplySeq(): Promise<number> {
    let max = (this.db.prepare('SELECT COALESCE(MAX(apply_seq), 0) AS m FROM decisions').get() as { m: number }).m;
    for (const r of this.byId.values()) if (r.applySeq > max) max = r.applySeq;
    return Promise.resolve(max);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
