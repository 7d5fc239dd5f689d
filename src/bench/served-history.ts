import type { Pool } from 'pg';
import { applyLabel, applyTransaction, computeFeatures, emptyProfile, fraudIndicatorChange, transactionTime, type ProfileState, type Transaction } from '../../features';
import type { DecisionRecord } from '../records/decision-record';
import { insertDecisionsParams, insertDecisionsSql } from '../records/postgres/postgres-decision-rows';
import { quoteSchema } from '../records/postgres/postgres-schema';
import { simEvents, type SimulationResult } from '../sim';

/** One entity's profile and version, as the service's store would hold them. */
interface Entity {
  readonly state: ProfileState;
  version: number;
}

export interface ServedHistoryStats {
  readonly decisions: number;
  readonly labels: number;
  /** Event time of the last transaction, epoch seconds. */
  readonly lastEventTime: number;
}

const BATCH = 5_000;

/**
 * Writes a simulated stream into a PostgreSQL decision log and label store (the schema's tables,
 * created already) exactly as one service would have served it in arrival order: every decision
 * with the vector computed from its profiles before it, the versions read and merged at, a score
 * and an `approve`; every chargeback label with its fraud change and the versions it was merged
 * at. A replay of what it writes reproduces every vector (retraining's parity holds), which is what
 * lets `fraudctl bench-retrain` measure retraining on millions of decisions without serving them.
 */
export async function writeServedHistory(pool: Pool, schema: string, sim: SimulationResult, specHash: string, onProgress: (decisions: number) => void): Promise<ServedHistoryStats> {
  const users = new Map<string, Entity>();
  const merchants = new Map<string, Entity>();
  const entity = (map: Map<string, Entity>, id: string) => {
    let e = map.get(id);
    if (e === undefined) {
      e = { state: emptyProfile(), version: 0 };
      map.set(id, e);
    }
    return e;
  };
  const byId = new Map<string, { readonly userId: string; readonly merchantId: string; readonly eventTime: number; fraud: boolean }>();
  const insert = { name: 'bench-served-insert', text: insertDecisionsSql(schema) };
  const labelsTable = `${quoteSchema(schema)}.labels`;
  let batch: DecisionRecord[] = [];
  let labelRows: unknown[][] = [];
  let decisions = 0;
  let labels = 0;
  let lastEventTime = 0;
  const flush = async () => {
    if (batch.length > 0) await pool.query({ ...insert, values: insertDecisionsParams(batch) });
    if (labelRows.length > 0) {
      const cols = labelRows[0]?.map((_, i) => labelRows.map((r) => r[i])) ?? [];
      await pool.query(
        `INSERT INTO ${labelsTable} (transaction_id, source, label, reported_at, reported_at_seconds, received_at, user_id, merchant_id, event_time, fraud_change, user_version, merchant_version)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::smallint[], $11::bigint[], $12::bigint[])`,
        cols,
      );
    }
    batch = [];
    labelRows = [];
    onProgress(decisions);
  };
  for (const event of simEvents(sim)) {
    if (event.type === 'transaction') {
      const { type: _type, ...txn } = event as Transaction & { type: string };
      const t = transactionTime(txn);
      const u = entity(users, txn.userId);
      const m = entity(merchants, txn.merchantId);
      const features = computeFeatures(txn, u.state, m.state);
      applyTransaction(u.state, 'user', txn, t);
      applyTransaction(m.state, 'merchant', txn, t);
      u.version += 1;
      m.version += 1;
      batch.push({
        transactionId: txn.transactionId, transaction: txn, eventTime: t, features, contributions: null, featureSpecHash: specHash, score: 0.01, decision: 'approve', modelVersion: 'history', rules: null,
        shadow: null, degraded: false, degradedReasons: [], latencyMs: 1, decidedAt: new Date(t * 1000).toISOString(), client: 'history', servedBy: null,
        userReadVersion: u.version - 1, merchantReadVersion: m.version - 1, userVersion: u.version, merchantVersion: m.version,
      });
      byId.set(txn.transactionId, { userId: txn.userId, merchantId: txn.merchantId, eventTime: t, fraud: false });
      decisions++;
      lastEventTime = t;
    } else {
      const labeled = byId.get(event.transactionId);
      if (labeled === undefined) continue;
      const change = fraudIndicatorChange(labeled.fraud ? 'fraud' : null, 'fraud');
      labeled.fraud = true;
      const reportedAt = Date.parse(event.reportedAt) / 1000;
      let userVersion: number | null = null;
      let merchantVersion: number | null = null;
      if (change !== 0) {
        const u = entity(users, labeled.userId);
        const m = entity(merchants, labeled.merchantId);
        applyLabel(u.state, { ...labeled, epochSeconds: labeled.eventTime }, change);
        applyLabel(m.state, { ...labeled, epochSeconds: labeled.eventTime }, change);
        userVersion = ++u.version;
        merchantVersion = ++m.version;
      }
      labelRows.push([event.transactionId, 'chargeback', 'fraud', event.reportedAt, reportedAt, new Date(reportedAt * 1000).toISOString(), labeled.userId, labeled.merchantId, labeled.eventTime, change, userVersion, merchantVersion]);
      labels++;
    }
    if (batch.length >= BATCH || labelRows.length >= BATCH) await flush();
  }
  await flush();
  return { decisions, labels, lastEventTime };
}
