import type { EntityRole } from '../../../features';
import type { AssignedVersion, DecisionHistory } from '../../records/decision-history';
import type { ProfileStoreAdmin, StoredProfile } from '../../store/profile-store';
import { replayEntities, type HistoryGap, type ReplayedClaim } from './replay-entities';

/** Where rebuilt profiles go. */
export type RebuildTarget =
  /** A store: every entity of the lost slots (`lost`) or every entity (`all`), then the slots' sentinels. */
  | { readonly kind: 'store'; readonly admin: ProfileStoreAdmin; readonly scope: 'lost' | 'all' }
  /** Any sink (a snapshot file, a comparison): every entity. */
  | { readonly kind: 'sink'; readonly write: (p: StoredProfile) => void | Promise<void> };

export interface RebuildOptions {
  readonly history: DecisionHistory;
  /** Profiles the store started from (PROFILE_SNAPSHOT), by role. */
  readonly seed: Readonly<Record<EntityRole, ReadonlyMap<string, StoredProfile>>>;
  readonly target: RebuildTarget;
  /** Claims of changes made at or after this wall-clock time (ISO 8601) are written with the profiles. */
  readonly claimsSince: string;
  /**
   * `rebuild`: changes still pending reconciliation are merged after each entity's versioned ones,
   * and the versions they get are recorded in the log (so the log says where they are). `replay`:
   * read only, the versioned history alone (what the store holds once reconciliation is done).
   */
  readonly mode: 'rebuild' | 'replay';
  /** Profiles written to a store at once, at most. Default 64. */
  readonly concurrency?: number;
  readonly onProgress?: (done: number) => void;
}

export interface RebuildResult {
  /** Profiles written. */
  readonly profiles: number;
  /** Slots whose sentinel was restored (store targets). */
  readonly slotsRestored: number;
  /** Changes that had no version and got one. */
  readonly assigned: number;
  readonly gaps: { readonly count: number; readonly first: HistoryGap | null };
}

/**
 * Rebuilds profiles from the decision log and labels: each entity replayed in its own version
 * order from its seed (changes still pending reconciliation appended in arrival order, and given
 * the next versions), and written with its version and its recent claims, so a retry or a
 * reconciliation after the rebuild is still merged once. This is the state a replay gives, exactly.
 *
 * With a store target, only entities in the slots that lost their sentinel are written (entities
 * elsewhere kept serving, and their reconciliation goes on), and those slots' sentinels come back
 * last, which lets the refused steps through again. Scope `all` rewrites every entity: run it with
 * no replica serving.
 */
export async function rebuildProfiles(o: RebuildOptions): Promise<RebuildResult> {
  let lost: Set<number> | null = null;
  let restore: readonly number[] = [];
  const target = o.target;
  if (target.kind === 'store') {
    const slots = await target.admin.lostSlots();
    restore = target.scope === 'all' ? Array.from({ length: target.admin.slots }, (_, s) => s) : slots;
    lost = target.scope === 'all' ? null : new Set(slots);
    if (lost !== null && lost.size === 0) return { profiles: 0, slotsRestored: 0, assigned: 0, gaps: { count: 0, first: null } };
  }
  const inScope = (role: EntityRole, id: string) => lost === null || target.kind !== 'store' || lost.has(target.admin.slotOf(role, id));
  const limit = o.concurrency ?? 64;
  const writing = new Set<Promise<void>>();
  let failure: unknown = null;
  const write = async (p: StoredProfile, claims: readonly ReplayedClaim[]) => {
    // A sink (a file) takes profiles in order, one at a time; a store takes `limit` at once.
    if (target.kind === 'sink') {
      await target.write(p);
      return;
    }
    const done = (async () => {
      await target.admin.put(p, claims.map(([claim, version]) => [claim, version]));
    })().catch((err: unknown) => {
      failure ??= err;
    });
    writing.add(done);
    void done.finally(() => writing.delete(done));
    if (writing.size >= limit) await Promise.race(writing);
    if (failure !== null) throw failure;
  };
  const assigned: AssignedVersion[] = [];
  let profiles = 0;
  let gaps = 0;
  let firstGap: HistoryGap | null = null;
  for (const role of ['user', 'merchant'] as const) {
    await replayEntities(
      role,
      o.history.entityHistory({ role, reads: null, pending: o.mode === 'rebuild', before: null }),
      {
        assigned(row, version) {
          if (!inScope(role, row.entity)) return;
          const transactionId = row.kind === 'transaction' ? row.transaction.transactionId : row.transactionId;
          assigned.push({ kind: row.kind, transactionId, source: row.kind === 'label' ? row.source : null, role, version });
        },
        gap(g) {
          gaps++;
          firstGap ??= g;
        },
        async end(p, claims) {
          if (!inScope(role, p.id)) return;
          profiles++;
          o.onProgress?.(profiles);
          await write(p, claims);
        },
      },
      { seed: o.seed[role], endUntouchedSeed: true, claimsSince: o.claimsSince },
    );
  }
  await Promise.all(writing);
  if (failure !== null) throw failure;
  if (o.mode === 'rebuild') for (let i = 0; i < assigned.length; i += 5_000) await o.history.assignVersions(assigned.slice(i, i + 5_000));
  if (target.kind === 'store') await target.admin.restoreSentinels(restore);
  return { profiles, slotsRestored: restore.length, assigned: assigned.length, gaps: { count: gaps, first: firstGap } };
}
