// The hot functions come from their own modules: a call through the features/ index goes through
// a re-export getter, once per event.
import { computeFeaturesAt } from '../../../features/compute-features';
import { applyLabel, applyTransaction, fraudIndicatorChange } from '../../../features/deltas';
import { emptyProfile, type ProfileState } from '../../../features/profile-state';
import { warmProfiles } from '../../../features/warm-profiles';
import { parseRfc3339 } from '../../../features/time';
import { resolveLabel, type Label, type LabelEvent, type LabelSource, type Transaction } from '../../../features';
import { EntityIndex } from './entity-index';
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
 *
 * Two ways to drive it, one per replay: {@link transaction} and {@link label} find rows and
 * profiles by id themselves; {@link scoreNumbered} and {@link labelRow} take them already resolved
 * (by `build-dataset`'s decoding thread, which numbers ids while this thread computes features).
 */
export class OfflineReplay {
  /** Profiles by entity number (first-seen order), and each number's id. */
  private readonly users: ProfileState[] = [];
  private readonly userIds: string[] = [];
  private readonly merchants: ProfileState[] = [];
  private readonly merchantIds: string[] = [];
  /** Numbering used by the id-based methods only. */
  private readonly userNumbers = new EntityIndex();
  private readonly merchantNumbers = new EntityIndex();
  private readonly rowOf = new TransactionIdIndex();
  private readonly reports = new Map<number, Report[]>();
  private count = 0;
  /** Per row: the user's and merchant's numbers and the event time (epoch s). */
  private rowUsers = new Int32Array(1024);
  private rowMerchants = new Int32Array(1024);
  private rowTimes = new Float64Array(1024);
  /** Resolved label per row (1 fraud), and when it last changed (epoch s; NaN = never labeled). */
  private labels = new Uint8Array(1024);
  private knownAt = new Float64Array(1024).fill(Number.NaN);
  /** Sum of {@link warmProfiles} results, kept only so its reads stay in the compiled code. */
  private warmth = 0;

  /** Number of distinct transactions seen (= rows). */
  get rows(): number {
    return this.count;
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
    this.scoreNumbered(txn, this.userNumbers.numberOf(txn.userId), this.merchantNumbers.numberOf(txn.merchantId), out);
    return { kind: 'scored', row };
  }

  /**
   * {@link transaction} for a transaction the caller has found to be new, its user and merchant
   * numbered by the caller in first-seen order (a number never seen before is the next one).
   * Returns its row, the next one. Throws a RangeError on a number out of that order.
   */
  scoreNumbered(txn: Transaction, userNumber: number, merchantNumber: number, out: Float32Array): number {
    const user = this.users[userNumber] ?? this.added(this.users, this.userIds, userNumber, txn.userId);
    const merchant = this.merchants[merchantNumber] ?? this.added(this.merchants, this.merchantIds, merchantNumber, txn.merchantId);
    this.warmth += warmProfiles(user, merchant);
    // One parse of the timestamp serves the features, both updates and the time column.
    const time = parseRfc3339(txn.timestamp);
    if (time === null) throw new RangeError(`timestamp is not RFC 3339: ${txn.timestamp}`);
    computeFeaturesAt(txn, time, user, merchant, out);
    applyTransaction(user, 'user', txn, time.epochSeconds);
    applyTransaction(merchant, 'merchant', txn, time.epochSeconds);
    const row = this.count;
    if (row === this.rowTimes.length) this.grow();
    this.rowUsers[row] = userNumber;
    this.rowMerchants[row] = merchantNumber;
    this.rowTimes[row] = time.epochSeconds;
    this.count = row + 1;
    return row;
  }

  /** Applies a label event at its arrival (see the class comment). */
  label(event: LabelEvent): LabelOutcome {
    const row = this.rowOf.find(event.transactionId);
    return row < 0 ? { kind: 'unknown_transaction' } : this.labelRow(row, event);
  }

  /** {@link label} for a label event whose transaction the caller has found at `row` (< {@link rows}). */
  labelRow(row: number, event: LabelEvent): LabelOutcome {
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
      const u = this.rowUsers[row] as number;
      const m = this.rowMerchants[row] as number;
      const ref = { userId: this.userIds[u] as string, merchantId: this.merchantIds[m] as string, epochSeconds: this.rowTimes[row] as number };
      applyLabel(this.users[u] as ProfileState, ref, change);
      applyLabel(this.merchants[m] as ProfileState, ref, change);
    }
    return { kind: 'applied', row, change };
  }

  /** Final resolved label per row (1 = fraud), length {@link rows}. */
  finalLabels(): Uint8Array {
    return this.labels.subarray(0, this.rows);
  }

  /** When each row's final label became known (epoch s), NaN for never-labeled rows. */
  labelKnownAt(): Float64Array {
    return this.knownAt.subarray(0, this.rows);
  }

  /** Every profile, for snapshotting into a store. */
  profiles(): { users: ReadonlyMap<string, ProfileState>; merchants: ReadonlyMap<string, ProfileState> } {
    const byId = (ids: readonly string[], profiles: readonly ProfileState[]) => new Map(ids.map((id, n) => [id, profiles[n] as ProfileState]));
    return { users: byId(this.userIds, this.users), merchants: byId(this.merchantIds, this.merchants) };
  }

  private added(profiles: ProfileState[], ids: string[], n: number, id: string): ProfileState {
    if (n !== profiles.length) throw new RangeError(`entity number ${n} out of first-seen order (next is ${profiles.length})`);
    const p = emptyProfile();
    profiles.push(p);
    ids.push(id);
    return p;
  }

  private grow(): void {
    const n = this.rowTimes.length * 2;
    this.rowUsers = grown(this.rowUsers, new Int32Array(n));
    this.rowMerchants = grown(this.rowMerchants, new Int32Array(n));
    this.rowTimes = grown(this.rowTimes, new Float64Array(n));
    this.labels = grown(this.labels, new Uint8Array(n));
    this.knownAt = grown(this.knownAt, new Float64Array(n).fill(Number.NaN));
  }
}

/** `into` with `from` copied to its front. */
function grown<T extends Int32Array | Float64Array | Uint8Array>(from: T, into: T): T {
  into.set(from);
  return into;
}
