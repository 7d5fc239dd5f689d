// The hot functions come from their own modules: calls through the features/ index go through
// one re-export getter each (1 % of build-dataset).
import { computeFeatures } from '../../../features/compute-features';
import { applyLabel, applyTransaction, fraudIndicatorChange, transactionTime } from '../../../features/deltas';
import { emptyProfile, type ProfileState } from '../../../features/profile-state';
import { warmProfiles } from '../../../features/warm-profiles';
import { parseRfc3339, resolveLabel, type Label, type LabelEvent, type LabelSource, type Transaction } from '../../../features';
import { TransactionIdIndex } from './transaction-id-index';

interface Report {
  readonly label: Label;
  readonly source: LabelSource;
  readonly reportedAtSeconds: number;
}

/** What happened to one label event during replay. */
export type LabelOutcome =
  | { readonly kind: 'applied'; readonly row: number; readonly change: number }
  | { readonly kind: 'duplicate'; readonly row: number }
  | { readonly kind: 'unknown_transaction' };

/** What happened to one transaction event during replay. */
export type TransactionOutcome = { readonly kind: 'scored'; readonly row: number } | { readonly kind: 'duplicate'; readonly row: number };

/**
 * The offline twin of the scoring service: replays an event stream in arrival order through the
 * same `features/` functions the service calls, in the same order (features from the state before
 * the transaction, then the transaction's deltas; a label's resolved-label change applied to both
 * profiles when it arrives). Holds every profile in memory.
 *
 * Per transaction it remembers its row, so a label can be resolved the way the service resolves it:
 * one report per (transaction, source) counts (later ones from the same source are duplicates),
 * and conflicting sources resolve by precedence ({@link resolveLabel}).
 */
export class OfflineReplay {
  private readonly users = new Map<string, ProfileState>();
  private readonly merchants = new Map<string, ProfileState>();
  private readonly rowOf = new TransactionIdIndex();
  private readonly reports = new Map<number, Report[]>();
  private rowUsers: string[] = [];
  private rowMerchants: string[] = [];
  private rowTimes: number[] = [];
  /** Resolved label per row (1 fraud), and when it last changed (epoch s; NaN = never labeled). */
  private labels = new Uint8Array(1024);
  private knownAt = new Float64Array(1024).fill(Number.NaN);
  /** Sum of {@link warmProfiles} results, kept only so its reads stay in the compiled code. */
  private warmth = 0;

  /** Number of distinct transactions seen (= rows). */
  get rows(): number {
    return this.rowTimes.length;
  }

  /**
   * Scores `txn` into `out` (its feature vector from the state before it), then applies it to its
   * user's and merchant's profiles. A repeated transactionId is reported as a duplicate and changes
   * nothing (the service answers retries from its decision log the same way).
   */
  transaction(txn: Transaction, out: Float32Array): TransactionOutcome {
    const rows = this.rowOf.size;
    const row = this.rowOf.findOrAdd(txn.transactionId);
    if (row < rows) return { kind: 'duplicate', row };
    const user = this.profile(this.users, txn.userId);
    const merchant = this.profile(this.merchants, txn.merchantId);
    this.warmth += warmProfiles(user, merchant);
    computeFeatures(txn, user, merchant, out);
    applyTransaction(user, 'user', txn);
    applyTransaction(merchant, 'merchant', txn);
    this.rowUsers.push(txn.userId);
    this.rowMerchants.push(txn.merchantId);
    this.rowTimes.push(transactionTime(txn));
    if (row >= this.labels.length) this.grow();
    return { kind: 'scored', row };
  }

  /** Applies a label event at its arrival (see the class comment). */
  label(event: LabelEvent): LabelOutcome {
    const row = this.rowOf.find(event.transactionId);
    if (row < 0) return { kind: 'unknown_transaction' };
    const reportedAtSeconds = (parseRfc3339(event.reportedAt) as { epochSeconds: number }).epochSeconds;
    const list = this.reports.get(row) ?? [];
    if (list.some((r) => r.source === event.source)) return { kind: 'duplicate', row };
    const before = resolveLabel(list);
    list.push({ label: event.label, source: event.source, reportedAtSeconds });
    this.reports.set(row, list);
    const after = resolveLabel(list);
    const change = fraudIndicatorChange(before, after);
    if (before !== after || Number.isNaN(this.knownAt[row] as number)) {
      this.labels[row] = after === 'fraud' ? 1 : 0;
      this.knownAt[row] = reportedAtSeconds;
    }
    if (change !== 0) {
      const ref = { userId: this.rowUsers[row] as string, merchantId: this.rowMerchants[row] as string, epochSeconds: this.rowTimes[row] as number };
      applyLabel(this.profile(this.users, ref.userId), ref, change);
      applyLabel(this.profile(this.merchants, ref.merchantId), ref, change);
    }
    return { kind: 'applied', row, change };
  }

  /** Per row, read-only: its transaction's event time (epoch seconds), user id and merchant id. */
  rowColumns(): { readonly timestamp: readonly number[]; readonly userId: readonly string[]; readonly merchantId: readonly string[] } {
    return { timestamp: this.rowTimes, userId: this.rowUsers, merchantId: this.rowMerchants };
  }

  /** Every row's transaction id as bytes (see {@link TransactionIdIndex.idBytes}). */
  transactionIdBytes(): { readonly bytes: Uint8Array; readonly starts: Int32Array } {
    return this.rowOf.idBytes();
  }

  /** Event time of a row's transaction, epoch seconds. */
  rowTime(row: number): number {
    return this.rowTimes[row] as number;
  }

  /** Final resolved label per row (1 = fraud), length {@link rows}. */
  finalLabels(): Uint8Array {
    return this.labels.subarray(0, this.rows);
  }

  /** When each row's final label became known (epoch s), NaN for never-labeled rows. */
  labelKnownAt(): Float64Array {
    return this.knownAt.subarray(0, this.rows);
  }

  /** Current profile of a user (read-only use), or undefined if never seen. */
  userProfile(userId: string): ProfileState | undefined {
    return this.users.get(userId);
  }

  /** Current profile of a merchant (read-only use), or undefined if never seen. */
  merchantProfile(merchantId: string): ProfileState | undefined {
    return this.merchants.get(merchantId);
  }

  /** Every profile, for snapshotting into a store. */
  profiles(): { users: ReadonlyMap<string, ProfileState>; merchants: ReadonlyMap<string, ProfileState> } {
    return { users: this.users, merchants: this.merchants };
  }

  private profile(map: Map<string, ProfileState>, id: string): ProfileState {
    let p = map.get(id);
    if (p === undefined) {
      p = emptyProfile();
      map.set(id, p);
    }
    return p;
  }

  private grow(): void {
    const labels = new Uint8Array(this.labels.length * 2);
    labels.set(this.labels);
    const knownAt = new Float64Array(this.knownAt.length * 2).fill(Number.NaN);
    knownAt.set(this.knownAt);
    this.labels = labels;
    this.knownAt = knownAt;
  }
}
