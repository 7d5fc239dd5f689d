import type Database from 'better-sqlite3';
import type { AssignedVersion, DecisionHistory, HistoryQuery, HistoryRow, ServedQuery, ServedRow } from '../decision-history';
import type { StoredProfile } from '../../store/profile-store';
import {
  bindHistory,
  checkpointValues,
  countServedSql,
  dropCheckpointedSql,
  entityHistorySql,
  rowsBeforeSql,
  historyRowOf,
  saveCheckpointSql,
  servedRowOf,
  servedSql,
  type HistorySqlRow,
  type HistoryTables,
  type ServedSqlRow,
} from '../history-sql';

const TABLES: HistoryTables = { decisions: 'decisions', labels: 'labels', checkpoints: 'checkpoints' };

/**
 * The decision history of the embedded SQLite decision log. Streams with SQLite's own cursor
 * (`iterate`), one row at a time. `close()` closes the connection only when it owns it.
 */
export class SqliteHistory implements DecisionHistory {
  constructor(
    private readonly db: Database.Database,
    private readonly options: { readonly ownsConnection?: boolean } = {},
  ) {}

  async *entityHistory(q: HistoryQuery): AsyncGenerator<HistoryRow> {
    const { text, values } = bindHistory('sqlite', entityHistorySql('sqlite', TABLES, q), { before: q.before, from: q.reads?.from ?? 0, to: q.reads?.to ?? 0 });
    for (const r of this.db.prepare<unknown[], HistorySqlRow>(text).iterate(...values)) yield historyRowOf(r);
  }

  unreadVectors(from: number, to: number, before: string | null): Promise<{ total: number; byReason: Record<string, number> }> {
    const where = '(d.user_read_version IS NULL OR d.merchant_read_version IS NULL) AND d.event_time >= ? AND d.event_time < ? AND (? IS NULL OR d.decided_at < ?)';
    const args = [from, to, before, before];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM decisions d WHERE ${where}`).get(...args) as { n: number }).n;
    const reasons = this.db
      .prepare(`SELECT r.value AS reason, count(*) AS n FROM decisions d, json_each(d.degraded_reasons) r WHERE ${where} GROUP BY r.value ORDER BY r.value`)
      .all(...args) as { reason: string; n: number }[];
    return Promise.resolve({ total, byReason: Object.fromEntries(reasons.map((r) => [r.reason, r.n])) });
  }

  async *served(q: ServedQuery): AsyncGenerator<ServedRow> {
    for (const r of this.db.prepare<[Record<string, unknown>], ServedSqlRow>(servedSql('sqlite', 'decisions', 'labels')).iterate({ from: q.from, to: q.to, spec: q.specHash, asOf: q.asOf })) yield servedRowOf(r);
  }

  countServed(q: ServedQuery): Promise<number> {
    return Promise.resolve((this.db.prepare(countServedSql('sqlite', 'decisions')).get(q.from, q.to, q.specHash) as { n: number }).n);
  }

  assignVersions(versions: readonly AssignedVersion[]): Promise<void> {
    const statements = {
      user: {
        transaction: this.db.prepare('UPDATE decisions SET user_version = ? WHERE transaction_id = ? AND user_version IS NULL'),
        label: this.db.prepare('UPDATE labels SET user_version = ? WHERE transaction_id = ? AND source = ? AND user_version IS NULL'),
      },
      merchant: {
        transaction: this.db.prepare('UPDATE decisions SET merchant_version = ? WHERE transaction_id = ? AND merchant_version IS NULL'),
        label: this.db.prepare('UPDATE labels SET merchant_version = ? WHERE transaction_id = ? AND source = ? AND merchant_version IS NULL'),
      },
    };
    this.db.transaction(() => {
      for (const v of versions) {
        if (v.kind === 'transaction') statements[v.role].transaction.run(v.version, v.transactionId);
        else statements[v.role].label.run(v.version, v.transactionId, v.source);
      }
    })();
    return Promise.resolve();
  }

  saveCheckpoints(profiles: readonly StoredProfile[], cutAt: string): Promise<void> {
    const save = this.db.prepare(saveCheckpointSql('sqlite', TABLES.checkpoints));
    this.db.transaction(() => {
      for (const p of profiles) save.run(...checkpointValues(p, cutAt));
    })();
    return Promise.resolve();
  }

  hasRowsBefore(cut: string): Promise<boolean> {
    return Promise.resolve(this.db.prepare(rowsBeforeSql('sqlite', TABLES)).get(cut, cut) !== undefined);
  }

  dropCheckpointed(cut: string, limit: number): Promise<{ decisions: number; labels: number }> {
    const sql = dropCheckpointedSql('sqlite', TABLES);
    // Each delete is its own short transaction: the service's writer waits at most one chunk.
    const decisions = this.db.prepare(sql.decisions).run(cut, limit).changes;
    const labels = this.db.prepare(sql.labels).run(cut, limit).changes;
    return Promise.resolve({ decisions, labels });
  }

  close(): Promise<void> {
    if (this.options.ownsConnection === true) this.db.close();
    return Promise.resolve();
  }
}
