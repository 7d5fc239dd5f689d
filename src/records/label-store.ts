import { fraudIndicatorChange, resolveLabel, type EntityRole, type Label, type LabelSource } from '../../features';

/** A label as stored, with its arrival time and where its profile change went. */
export interface LabelRecord {
  readonly transactionId: string;
  readonly label: Label;
  readonly source: LabelSource;
  /** As sent (RFC 3339). */
  readonly reportedAt: string;
  /** `reportedAt` as epoch seconds: when the label takes effect. */
  readonly reportedAtSeconds: number;
  /** Wall-clock time the service committed it (ISO 8601). */
  readonly receivedAt: string;
  /** The labeled transaction's user, merchant and event time (epoch seconds), copied from its decision. */
  readonly userId: string;
  readonly merchantId: string;
  readonly eventTime: number;
  /**
   * How this label changed the transaction's known-fraud indicator (+1, -1 or 0), given the labels
   * committed before it (precedence chargeback > analyst > user_confirmation): the `f` change its
   * profile update merges into both profiles.
   */
  readonly fraudChange: number;
  /** The authenticated client that sent it (see src/auth); null in labels stored before clients were recorded. */
  readonly client: string | null;
  /** Versions at which that change was merged into each profile; null while not merged (or 0 change). */
  readonly userVersion: number | null;
  readonly merchantVersion: number | null;
}

/** What a caller gives {@link LabelStore.add}; the store decides the rest. */
export type NewLabel = Omit<LabelRecord, 'receivedAt' | 'fraudChange' | 'userVersion' | 'merchantVersion'>;

/** Outcome of {@link LabelStore.add}. */
export type AddLabelResult =
  | { readonly kind: 'added'; readonly record: LabelRecord; readonly previous: readonly LabelRecord[] }
  | { readonly kind: 'duplicate'; readonly existing: LabelRecord }
  | { readonly kind: 'conflict'; readonly existing: LabelRecord };

/** A label whose profile change is not yet known merged into `roles`. */
export interface UnappliedLabel {
  readonly record: LabelRecord;
  readonly roles: readonly EntityRole[];
}

/** The change of the known-fraud indicator `label` makes after `previous` (the rule both adapters apply). */
export function labelFraudChange(previous: readonly Pick<LabelRecord, 'label' | 'source' | 'reportedAtSeconds'>[], label: Pick<LabelRecord, 'label' | 'source' | 'reportedAtSeconds'>): number {
  return fraudIndicatorChange(resolveLabel(previous), resolveLabel([...previous, label]));
}

/** The roles a label's change is still to be merged into (none for a change of 0). */
export function unappliedRoles(r: Pick<LabelRecord, 'fraudChange' | 'userVersion' | 'merchantVersion'>): EntityRole[] {
  if (r.fraudChange === 0) return [];
  const roles: EntityRole[] = [];
  if (r.userVersion === null) roles.push('user');
  if (r.merchantVersion === null) roles.push('merchant');
  return roles;
}

/**
 * The label store port (SQLite embedded, PostgreSQL in production). One label per
 * (transactionId, source): the same label again is a `duplicate` (an idempotent retry), a different
 * label from the same source a `conflict`. `add` resolves only once the label is durable (committed),
 * with its `fraudChange` decided against the labels committed before it, atomically with the insert
 * (concurrent adds for one transaction, from any replica, serialise).
 */
export interface LabelStore {
  add(label: NewLabel, receivedAt: string): Promise<AddLabelResult>;
  /** Records the version at which a label's change was merged into one profile. */
  markApplied(transactionId: string, source: LabelSource, role: EntityRole, version: number): Promise<void>;
  forTransaction(transactionId: string): Promise<LabelRecord[]>;
  /** Labels that arrived (reportedAtSeconds) in [from, to), ordered by arrival. */
  listArrived(fromEpochSeconds: number, toEpochSeconds: number): Promise<LabelRecord[]>;
  /** Labels with a non-zero change not yet known merged, received before `receivedBefore` (ISO), oldest first. */
  unapplied(receivedBefore: string, limit: number): Promise<UnappliedLabel[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
