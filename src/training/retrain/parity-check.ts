import { computeFeatures, FEATURE_COUNT, FEATURE_ENTITY, FEATURE_NAMES, type EntityRole, type ProfileState } from '../../../features';
import type { DecisionHistory } from '../../records/decision-history';
import type { StoredProfile } from '../../store/profile-store';
import { replayEntities, type HistoryGap } from '../history/replay-entities';

/** The first feature where a logged vector and its replay differ. */
export interface ParityMismatch {
  readonly transactionId: string;
  readonly feature: string;
  /** Values as float32 bit patterns would print them (NaN shows as null). */
  readonly logged: number | null;
  readonly replayed: number | null;
}

export interface ParityResult {
  /** Logged vectors compared (both profiles read, event time inside the window). */
  readonly checked: number;
  /** Compared vectors that differ from the replay (or could not be reproduced, see `gaps`). */
  readonly mismatches: number;
  readonly mismatchRate: number;
  /** The first mismatch found, naming the feature; null when none. */
  readonly first: ParityMismatch | null;
  /** A few mismatching transaction ids. */
  readonly examples: readonly string[];
  /**
   * Vectors served with a profile unread (store timeout, error or loss): their features of that
   * profile are NaN, not the history's, so they are excluded and counted, by degraded reason.
   */
  readonly degraded: { readonly total: number; readonly byReason: Readonly<Record<string, number>> };
  /** Breaks in entities' histories (a change the log does not know, e.g. one still to be reconciled). */
  readonly gaps: { readonly count: number; readonly first: HistoryGap | null };
}

export interface ParityInput {
  readonly history: DecisionHistory;
  /** Profiles the store started from (its PROFILE_SNAPSHOT), by role. */
  readonly seed: Readonly<Record<EntityRole, ReadonlyMap<string, StoredProfile>>>;
  /** Only vectors of decisions with event time in [from, to) are compared (all history is replayed). */
  readonly window: { readonly from: number; readonly to: number };
  /** Only records decided before this wall-clock time (ISO 8601): newer ones may still be committing. */
  readonly before: string | null;
}

/** The float32 at `i` as a JSON-friendly number (NaN → null). */
function value(v: Float32Array, i: number): number | null {
  const x = v[i] as number;
  return Number.isNaN(x) ? null : x;
}

/**
 * Replays the service's own history through `features/`, each entity in its own version order
 * (users, then merchants), and compares every logged vector with the replay bit for bit: its user
 * part (and the transaction's own features) against the user's state at the version it was read
 * at, its merchant part against the merchant's. A vector matches when both parts do. Streams the
 * history (bounded memory); the ids of mismatching vectors are the only thing kept across passes.
 */
export async function checkParity(input: ParityInput): Promise<ParityResult> {
  const { history, window } = input;
  const replayed = new Float32Array(FEATURE_COUNT);
  const replayedBits = new Uint32Array(replayed.buffer);
  const mismatched = new Set<string>();
  let first: ParityMismatch | null = null;
  let checked = 0;
  let gapCount = 0;
  let firstGap: HistoryGap | null = null;

  for (const role of ['user', 'merchant'] as const) {
    const rows = history.entityHistory({ role, reads: window, pending: false, before: input.before });
    await replayEntities(
      role,
      rows,
      {
        read(row, state: ProfileState) {
          const txn = row.transaction;
          if (role === 'user') {
            checked++;
            computeFeatures(txn, state, null, replayed);
          } else computeFeatures(txn, null, state, replayed);
          const logged = row.features;
          const loggedBits = new Uint32Array(logged.buffer, logged.byteOffset, logged.length);
          for (let i = 0; i < FEATURE_COUNT; i++) {
            const entity = FEATURE_ENTITY[i] ?? null;
            // Transaction features are checked in the user pass; each profile's in its own.
            if (entity !== role && !(entity === null && role === 'user')) continue;
            if (logged.length === FEATURE_COUNT && loggedBits[i] === replayedBits[i]) continue;
            mismatched.add(txn.transactionId);
            first ??= { transactionId: txn.transactionId, feature: FEATURE_NAMES[i] as string, logged: value(logged, i), replayed: value(replayed, i) };
            return;
          }
        },
        unverifiable(row) {
          if (role === 'user') checked++;
          mismatched.add(row.transaction.transactionId);
        },
        gap(gap) {
          gapCount++;
          firstGap ??= gap;
        },
      },
      { seed: input.seed[role], endUntouchedSeed: false, claimsSince: null },
    );
  }
  const degraded = await history.unreadVectors(window.from, window.to, input.before);
  const mismatches = mismatched.size;
  return {
    checked,
    mismatches,
    mismatchRate: checked === 0 ? 0 : mismatches / checked,
    first,
    examples: [...mismatched].slice(0, 5),
    degraded,
    gaps: { count: gapCount, first: firstGap },
  };
}
