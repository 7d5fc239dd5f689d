import { applyDelta, applyTransaction, copyProfile, emptyProfile, labelDelta, type EntityRole, type ProfileState } from '../../../features';
import type { HistoryRow } from '../../records/decision-history';
import { labelClaim, type StoredProfile } from '../../store/profile-store';

type ReadRow = Extract<HistoryRow, { kind: 'read' }>;
type ChangeRow = Extract<HistoryRow, { kind: 'transaction' | 'label' }>;
type CheckpointRow = Extract<HistoryRow, { kind: 'checkpoint' }>;

/** A claim as a rebuild writes it back: claim key, version, and when it was made (ISO 8601). */
export type ReplayedClaim = readonly [claim: string, version: number, at: string];

/** A break in an entity's history: the change at `expected` is missing (or two changes claim one version). */
export interface HistoryGap {
  readonly role: EntityRole;
  readonly entity: string;
  readonly expected: number;
  readonly found: number;
}

export interface ReplayVisitor {
  /** An entity's checkpoint, applied: its state replaces the seed's, changes up to its version are in it. */
  checkpoint?(row: CheckpointRow): void;
  /**
   * A versioned change about to be merged (before the gap check), with the entity's state and
   * version before it (live: copy what you keep). Not called for changes inside a checkpoint.
   */
  change?(row: ChangeRow, state: ProfileState, version: number): void;
  /** A served vector's read, with the entity's state at that version (live: do not keep or change). */
  read?(row: ReadRow, state: ProfileState): void;
  /** A read the history cannot reproduce: a change before it is missing. */
  unverifiable?(row: ReadRow): void;
  /** A change missing (or doubled) in an entity's history; replaying goes on past it. */
  gap?(gap: HistoryGap): void;
  /** A pending change (no version yet) merged at the next version. */
  assigned?(row: ChangeRow, version: number): void;
  /** An entity's final state and the claims of its changes made since `claimsSince`. */
  end?(profile: StoredProfile, claims: readonly ReplayedClaim[]): void | Promise<void>;
}

export interface ReplayOptions {
  /** The profiles the store started from (version included); others start empty at 0. */
  readonly seed: ReadonlyMap<string, StoredProfile>;
  /** Also end the seed's entities that no row touched (a rebuild writes every profile). */
  readonly endUntouchedSeed: boolean;
  /** Claims of changes made at or after this wall-clock time (ISO 8601), and of every pending change, are collected; null = none. */
  readonly claimsSince: string | null;
}

export interface ReplaySummary {
  readonly entities: number;
  readonly changes: number;
  readonly reads: number;
  readonly gaps: number;
  readonly unverifiable: number;
}

function claimOf(row: ChangeRow): string {
  return row.kind === 'transaction' ? row.transaction.transactionId : labelClaim(row.source, row.transactionId);
}

/**
 * Replays one role's history (as `DecisionHistory.entityHistory` streams it: grouped by entity, in
 * version order) through `features/`: every change merged in its entity's version order, every
 * read handed to the visitor with the state it was served from. Exact whatever the interleaving
 * across replicas was, because each entity's own order is all a feature depends on. Memory holds
 * one entity at a time (plus the seed).
 */
export async function replayEntities(role: EntityRole, rows: AsyncIterable<HistoryRow>, visitor: ReplayVisitor, options: ReplayOptions): Promise<ReplaySummary> {
  let entity: string | null = null;
  let state: ProfileState = emptyProfile();
  let version = 0;
  /** The first version this entity's history is missing, or Infinity: reads from it on are unverifiable. */
  let brokenFrom = Number.POSITIVE_INFINITY;
  /** The entity's checkpoint version: kept rows of changes up to it are already in its state. */
  let folded = 0;
  let claims: ReplayedClaim[] = [];
  const touched = new Set<string>();
  let entities = 0;
  let changes = 0;
  let reads = 0;
  let gaps = 0;
  let unverifiable = 0;

  const finish = async () => {
    if (entity === null) return;
    entities++;
    await visitor.end?.({ role, id: entity, state, version }, claims);
  };
  const start = (id: string) => {
    entity = id;
    if (options.endUntouchedSeed) touched.add(id);
    const seeded = options.seed.get(id);
    state = seeded === undefined ? emptyProfile() : copyProfile(seeded.state);
    version = seeded?.version ?? 0;
    brokenFrom = Number.POSITIVE_INFINITY;
    folded = 0;
    claims = [];
  };
  /** Merges a change at `version`; a pending one's claim is always collected (reconciliation may still ask). */
  const merge = (row: ChangeRow, pending: boolean) => {
    if (row.kind === 'transaction') applyTransaction(state, role, row.transaction);
    else {
      const delta = labelDelta({ userId: '', merchantId: '', epochSeconds: row.eventTime }, row.fraudChange);
      if (delta !== null) applyDelta(state, delta);
    }
    changes++;
    if (options.claimsSince !== null && (pending || row.at >= options.claimsSince)) claims.push([claimOf(row), version, row.at]);
  };

  for await (const row of rows) {
    if (row.entity !== entity) {
      await finish();
      start(row.entity);
    }
    if (row.kind === 'checkpoint') {
      state = copyProfile(row.state);
      version = row.version;
      folded = row.version;
      visitor.checkpoint?.(row);
      continue;
    }
    if (row.kind === 'read') {
      if (row.version === version && row.version < brokenFrom) {
        reads++;
        visitor.read?.(row, state);
      } else {
        unverifiable++;
        visitor.unverifiable?.(row);
      }
      continue;
    }
    if (row.version === null) {
      version += 1;
      merge(row, true);
      visitor.assigned?.(row, version);
      continue;
    }
    if (row.version <= folded) continue; // pruned history kept this row (its other entity was not checkpointed yet)
    visitor.change?.(row, state, version);
    if (row.version !== version + 1) {
      gaps++;
      visitor.gap?.({ role, entity: row.entity, expected: version + 1, found: row.version });
      brokenFrom = Math.min(brokenFrom, version + 1);
      if (row.version <= version) continue; // a second change at one version: keep the first
    }
    version = row.version;
    merge(row, false);
  }
  await finish();
  if (options.endUntouchedSeed) {
    for (const [id, p] of options.seed) {
      if (touched.has(id)) continue;
      entities++;
      await visitor.end?.({ role, id, state: copyProfile(p.state), version: p.version }, []);
    }
  }
  return { entities, changes, reads, gaps, unverifiable };
}
