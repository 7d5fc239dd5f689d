import type { EntityRole, LabelSource, ProfileState, Transaction } from '../../features';
import type { StoredProfile } from '../store/profile-store';

/** Which part of one role's history {@link DecisionHistory.entityHistory} streams. */
export interface HistoryQuery {
  readonly role: EntityRole;
  /**
   * Also stream the feature reads (served vectors) of decisions with event time in [from, to) whose
   * profiles were both read; null = no reads.
   */
  readonly reads: { readonly from: number; readonly to: number } | null;
  /** Also stream changes not yet known merged (null version), after each entity's versioned ones. */
  readonly pending: boolean;
  /**
   * Only reads of decisions decided before this wall-clock time (ISO 8601); null = all. Changes
   * are never cut: versions do not follow wall-clock time across replicas.
   */
  readonly before: string | null;
}

/**
 * One row of an entity's history. `version` is where a change was merged (null: not known yet,
 * `pending` queries only) or, for a read, the version of the state the vector was computed from.
 */
export type HistoryRow =
  | { readonly kind: 'transaction'; readonly entity: string; readonly version: number | null; readonly transaction: Transaction; readonly at: string }
  | {
      readonly kind: 'label';
      readonly entity: string;
      readonly version: number | null;
      readonly transactionId: string;
      readonly source: LabelSource;
      readonly fraudChange: number;
      /** The labeled transaction's event time, epoch seconds. */
      readonly eventTime: number;
      readonly at: string;
    }
  | { readonly kind: 'read'; readonly entity: string; readonly version: number; readonly transaction: Transaction; readonly features: Float32Array }
  /**
   * The entity's state at `version` once its changes up to there were pruned (see
   * {@link DecisionHistory.saveCheckpoints}): first in its entity's rows when present; rows of
   * changes at or below `version` that retention kept (see `dropCheckpointed`) follow, already in it.
   */
  | { readonly kind: 'checkpoint'; readonly entity: string; readonly version: number; readonly state: ProfileState };

/** One served decision for training, with the labels known at the query's `asOf`. */
export interface ServedRow {
  readonly transactionId: string;
  readonly userId: string;
  /** Epoch seconds. */
  readonly eventTime: number;
  /** What the service answered: a challenged or declined payment never completes, so no chargeback can follow it. */
  readonly decision: 'approve' | 'challenge' | 'decline';
  readonly features: Float32Array;
  readonly labels: readonly { readonly source: LabelSource; readonly label: 'fraud' | 'legitimate'; readonly reportedAtSeconds: number }[];
}

/** Selects served decisions for training. */
export interface ServedQuery {
  /** Event time range [from, to), epoch seconds. */
  readonly from: number;
  readonly to: number;
  /** Labels that arrived (reportedAt) after this are not known yet, epoch seconds. */
  readonly asOf: number;
  /** Only vectors of this feature spec. */
  readonly specHash: string;
}

/** A version a rebuild gave a change that had none. */
export interface AssignedVersion {
  readonly kind: 'transaction' | 'label';
  readonly transactionId: string;
  /** The label's source (labels only). */
  readonly source: LabelSource | null;
  readonly role: EntityRole;
  readonly version: number;
}

/**
 * The decision log and labels as history, read in bounded memory (cursors): what retraining's
 * parity check and `fraudctl profiles rebuild` replay, and what training rows come from. Adapters:
 * SQLite and PostgreSQL, beside their decision logs.
 */
export interface DecisionHistory {
  /**
   * One role's history, grouped by entity and ordered within it by position: a change merged at
   * version v sits at 2v, a read at version r at 2r + 1 (after the change that made version r,
   * before the next), pending changes last (by wall-clock time).
   */
  entityHistory(query: HistoryQuery): AsyncIterable<HistoryRow>;
  /** Decisions with event time in [from, to) served with a profile unread, by degraded reason (a decision counts once per reason). */
  unreadVectors(from: number, to: number, before: string | null): Promise<{ readonly total: number; readonly byReason: Readonly<Record<string, number>> }>;
  /** Served decisions of the query, in event-time order. */
  served(query: ServedQuery): AsyncIterable<ServedRow>;
  /** Number of rows {@link served} gives for the query. */
  countServed(query: ServedQuery): Promise<number>;
  /** Records versions a rebuild assigned (only where none is recorded). */
  assignVersions(versions: readonly AssignedVersion[]): Promise<void>;
  /**
   * Stores entities' checkpoints: the state after every change up to `version` (role, id, state,
   * version of each profile), made when records before `cutAt` (ISO 8601) were pruned. An entity's
   * checkpoint is replaced only by a later version. Rejects with the database's error.
   */
  saveCheckpoints(profiles: readonly StoredProfile[], cutAt: string): Promise<void>;
  /** Whether any decision was decided, or any label received, before `cut` (ISO 8601). */
  hasRowsBefore(cut: string): Promise<boolean>;
  /**
   * Deletes up to `limit` decisions decided before `cut` (ISO 8601) whose user and merchant changes
   * are both inside their entities' checkpoints, then up to `limit` labels received before `cut`
   * whose decision is gone and whose changes (if any) are inside checkpoints. Records without
   * versions (pending, or from before profiles had versions) are never deleted. Resolves to the
   * numbers deleted; call again until both are below `limit`.
   */
  dropCheckpointed(cut: string, limit: number): Promise<{ readonly decisions: number; readonly labels: number }>;
  close(): Promise<void>;
}
