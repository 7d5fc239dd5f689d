import type Database from 'better-sqlite3';
import type { Label, LabelSource } from '../../features';
import type { AddLabelResult, LabelRecord, LabelStore } from './label-store';

interface Row {
  transaction_id: string;
  source: string;
  label: string;
  reported_at: string;
  reported_at_seconds: number;
  received_at: string;
  apply_seq: number | null;
}

function fromRow(r: Row): LabelRecord {
  return {
    transactionId: r.transaction_id,
    source: r.source as LabelSource,
    label: r.label as Label,
    reportedAt: r.reported_at,
    reportedAtSeconds: r.reported_at_seconds,
    receivedAt: r.received_at,
    applySeq: r.apply_seq,
  };
}

/** The embedded label store: a SQLite table; each add is its own durable transaction. */
export class SqliteLabelStore implements LabelStore {
  private readonly addTx: (label: Omit<LabelRecord, 'receivedAt' | 'applySeq'>, receivedAt: string) => AddLabelResult;
  private readonly setApplied: Database.Statement<[number, string, string]>;
  private readonly byTxn: Database.Statement<[string], Row>;
  private readonly arrived: Database.Statement<[number, number], Row>;

  constructor(private readonly db: Database.Database) {
    this.byTxn = db.prepare('SELECT * FROM labels WHERE transaction_id = ? ORDER BY seq');
    this.arrived = db.prepare('SELECT * FROM labels WHERE reported_at_seconds >= ? AND reported_at_seconds < ? ORDER BY reported_at_seconds, seq');
    const insert = db.prepare(
      'INSERT INTO labels (transaction_id, source, label, reported_at, reported_at_seconds, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.setApplied = db.prepare('UPDATE labels SET apply_seq = ? WHERE transaction_id = ? AND source = ?');
    // IMMEDIATE takes the write lock before reading, so two adds for one transaction serialize.
    this.addTx = db.transaction((label: Omit<LabelRecord, 'receivedAt' | 'applySeq'>, receivedAt: string): AddLabelResult => {
        const previous = this.byTxn.all(label.transactionId).map(fromRow);
        const same = previous.find((p) => p.source === label.source);
        if (same !== undefined) return same.label === label.label ? { kind: 'duplicate', existing: same } : { kind: 'conflict', existing: same };
        insert.run(label.transactionId, label.source, label.label, label.reportedAt, label.reportedAtSeconds, receivedAt);
      return { kind: 'added', previous };
    }).immediate;
  }

  add(label: Omit<LabelRecord, 'receivedAt' | 'applySeq'>, receivedAt: string): Promise<AddLabelResult> {
    try {
      return Promise.resolve(this.addTx(label, receivedAt));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  forTransaction(transactionId: string): Promise<LabelRecord[]> {
    return Promise.resolve(this.byTxn.all(transactionId).map(fromRow));
  }

  markApplied(transactionId: string, source: LabelRecord['source'], applySeq: number): Promise<void> {
    this.setApplied.run(applySeq, transactionId, source);
    return Promise.resolve();
  }

  maxApplySeq(): Promise<number> {
    return Promise.resolve((this.db.prepare('SELECT COALESCE(MAX(apply_seq), 0) AS m FROM labels').get() as { m: number }).m);
  }

  listArrived(fromEpochSeconds: number, toEpochSeconds: number): Promise<LabelRecord[]> {
    return Promise.resolve(this.arrived.all(fromEpochSeconds, toEpochSeconds).map(fromRow));
  }

  ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
