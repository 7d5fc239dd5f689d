import type Database from 'better-sqlite3';
import type { EntityRole, Label, LabelSource } from '../../../features';
import { labelFraudChange, unappliedRoles, type AddLabelResult, type LabelRecord, type LabelStore, type NewLabel, type UnappliedLabel } from '../label-store';

interface Row {
  transaction_id: string;
  source: string;
  label: string;
  reported_at: string;
  reported_at_seconds: number;
  received_at: string;
  user_id: string | null;
  merchant_id: string | null;
  event_time: number | null;
  fraud_change: number;
  user_version: number | null;
  merchant_version: number | null;
  client: string | null;
}

function fromRow(r: Row): LabelRecord {
  return {
    transactionId: r.transaction_id,
    source: r.source as LabelSource,
    label: r.label as Label,
    reportedAt: r.reported_at,
    reportedAtSeconds: r.reported_at_seconds,
    receivedAt: r.received_at,
    userId: r.user_id ?? '',
    merchantId: r.merchant_id ?? '',
    eventTime: r.event_time ?? 0,
    fraudChange: r.fraud_change,
    userVersion: r.user_version,
    merchantVersion: r.merchant_version,
    client: r.client,
  };
}

/** The embedded label store: a SQLite table; each add is its own durable transaction. */
export class SqliteLabelStore implements LabelStore {
  private readonly addTx: (label: NewLabel, receivedAt: string) => AddLabelResult;
  private readonly setVersion: Record<EntityRole, Database.Statement<[number, string, string]>>;
  private readonly byTxn: Database.Statement<[string], Row>;
  private readonly arrived: Database.Statement<[number, number], Row>;
  private readonly pendingRows: Database.Statement<[string, number], Row>;

  constructor(private readonly db: Database.Database) {
    this.byTxn = db.prepare('SELECT * FROM labels WHERE transaction_id = ? ORDER BY seq');
    this.arrived = db.prepare('SELECT * FROM labels WHERE reported_at_seconds >= ? AND reported_at_seconds < ? ORDER BY reported_at_seconds, seq');
    this.pendingRows = db.prepare(
      'SELECT * FROM labels WHERE fraud_change <> 0 AND (user_version IS NULL OR merchant_version IS NULL) AND received_at < ? ORDER BY seq LIMIT ?',
    );
    const insert = db.prepare(
      `INSERT INTO labels (transaction_id, source, label, reported_at, reported_at_seconds, received_at, user_id, merchant_id, event_time, fraud_change, client)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.setVersion = {
      user: db.prepare('UPDATE labels SET user_version = ? WHERE transaction_id = ? AND source = ?'),
      merchant: db.prepare('UPDATE labels SET merchant_version = ? WHERE transaction_id = ? AND source = ?'),
    };
    // IMMEDIATE takes the write lock before reading, so two adds for one transaction serialize.
    this.addTx = db.transaction((label: NewLabel, receivedAt: string): AddLabelResult => {
      const previous = this.byTxn.all(label.transactionId).map(fromRow);
      const same = previous.find((p) => p.source === label.source);
      if (same !== undefined) return same.label === label.label ? { kind: 'duplicate', existing: same } : { kind: 'conflict', existing: same };
      const fraudChange = labelFraudChange(previous, label);
      insert.run(label.transactionId, label.source, label.label, label.reportedAt, label.reportedAtSeconds, receivedAt, label.userId, label.merchantId, label.eventTime, fraudChange, label.client);
      return { kind: 'added', record: { ...label, receivedAt, fraudChange, userVersion: null, merchantVersion: null }, previous };
    }).immediate;
  }

  add(label: NewLabel, receivedAt: string): Promise<AddLabelResult> {
    try {
      return Promise.resolve(this.addTx(label, receivedAt));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  forTransaction(transactionId: string): Promise<LabelRecord[]> {
    return Promise.resolve(this.byTxn.all(transactionId).map(fromRow));
  }

  markApplied(transactionId: string, source: LabelSource, role: EntityRole, version: number): Promise<void> {
    this.setVersion[role].run(version, transactionId, source);
    return Promise.resolve();
  }

  listArrived(fromEpochSeconds: number, toEpochSeconds: number): Promise<LabelRecord[]> {
    return Promise.resolve(this.arrived.all(fromEpochSeconds, toEpochSeconds).map(fromRow));
  }

  unapplied(receivedBefore: string, limit: number): Promise<UnappliedLabel[]> {
    return Promise.resolve(this.pendingRows.all(receivedBefore, limit).map((r) => ({ record: fromRow(r), roles: unappliedRoles(fromRow(r)) })));
  }

  ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
