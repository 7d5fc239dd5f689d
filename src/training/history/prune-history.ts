import { copyProfile, type EntityRole, type ProfileState } from '../../../features';
import type { DecisionHistory } from '../../records/decision-history';
import type { StoredProfile } from '../../store/profile-store';
import { replayEntities } from './replay-entities';

export interface PruneOptions {
  readonly history: DecisionHistory;
  /** Profiles the store started from (PROFILE_SNAPSHOT), by role: histories start there. */
  readonly seed: Readonly<Record<EntityRole, ReadonlyMap<string, StoredProfile>>>;
  /** Records decided (labels received) before this wall-clock time, ISO 8601, may go. */
  readonly cut: string;
  /** Rows deleted per statement (a short transaction each). Default 5,000. */
  readonly chunk?: number;
  readonly onProgress?: (phase: 'checkpoints' | 'delete', done: number) => void;
}

export interface PruneResult {
  /** Checkpoints written or moved forward, by role. */
  readonly checkpoints: Readonly<Record<EntityRole, number>>;
  /** Entities left without a new checkpoint because their history before the cut has a break. */
  readonly broken: number;
  readonly deleted: { readonly decisions: number; readonly labels: number };
}

/** Checkpoints saved per write. */
const SAVE_BATCH = 1_000;

/**
 * Applies a retention cut to the decision log and labels without changing what any replay gives:
 * 1. each entity's history is replayed (from its checkpoint or seed) and its state after the
 *    longest prefix of changes made before `cut` becomes its new checkpoint (an entity whose
 *    prefix has a break keeps its rows and gets none);
 * 2. decisions decided before `cut` whose user and merchant changes both lie inside checkpoints
 *    are deleted, then labels before `cut` whose decision is gone and whose changes are covered.
 * A replay afterwards starts each entity at its checkpoint and skips kept rows at or below it, so
 * rebuilt profiles, and parity of every read at or after the checkpoint, are exactly as before
 * (tested). Reads before a checkpoint cannot be checked any more: cut before the retraining window.
 * Streams one entity at a time; safe beside a serving service (changes it makes after the cut are
 * outside every prefix). Rejects with the database's error; a rerun picks up where it stopped.
 */
export async function pruneHistory(o: PruneOptions): Promise<PruneResult> {
  const checkpoints: Record<EntityRole, number> = { user: 0, merchant: 0 };
  let broken = 0;
  // Nothing that old: no replay needed (replay settings put the cut before every record).
  if (!(await o.history.hasRowsBefore(o.cut))) return { checkpoints, broken, deleted: { decisions: 0, labels: 0 } };
  for (const role of ['user', 'merchant'] as const) {
    let batch: StoredProfile[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await o.history.saveCheckpoints(batch, o.cut);
      checkpoints[role] += batch.length;
      o.onProgress?.('checkpoints', checkpoints.user + checkpoints.merchant);
      batch = [];
    };
    // Per entity: its checkpoint's version, its prefix state once captured, a break before it.
    let checkpointVersion: number | null = null;
    let captured: { state: ProfileState; version: number } | null = null;
    let isBroken = false;
    await replayEntities(
      role,
      o.history.entityHistory({ role, reads: null, pending: false, before: null }),
      {
        checkpoint(row) {
          checkpointVersion = row.version;
        },
        change(row, state, version) {
          if (captured === null && !(row.at < o.cut)) captured = { state: copyProfile(state), version };
        },
        gap() {
          if (captured === null) isBroken = true;
        },
        async end(p) {
          const prefix = captured ?? { state: p.state, version: p.version };
          const base = checkpointVersion ?? o.seed[role].get(p.id)?.version ?? 0;
          if (isBroken) broken++;
          else if (prefix.version > base) {
            batch.push({ role, id: p.id, state: prefix.state, version: prefix.version });
            if (batch.length >= SAVE_BATCH) await flush();
          }
          checkpointVersion = null;
          captured = null;
          isBroken = false;
        },
      },
      { seed: o.seed[role], endUntouchedSeed: false, claimsSince: null },
    );
    await flush();
  }
  const chunk = o.chunk ?? 5_000;
  let decisions = 0;
  let labels = 0;
  for (;;) {
    const n = await o.history.dropCheckpointed(o.cut, chunk);
    decisions += n.decisions;
    labels += n.labels;
    o.onProgress?.('delete', decisions + labels);
    if (n.decisions < chunk && n.labels < chunk) break;
  }
  return { checkpoints, broken, deleted: { decisions, labels } };
}
