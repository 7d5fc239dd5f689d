import { emptyProfile, forgottenFrom, isEmptyProfile, PROFILE_HORIZON_SECONDS, type EntityRole, type ProfileState } from '../../features';

/** Why a profile left the memory store: idle past the horizon (no feature changes) or over `maxProfiles` (its features restart). */
export type EvictionReason = 'idle' | 'capacity';

export const EVICTION_REASONS: readonly EvictionReason[] = ['idle', 'capacity'];

/** Claims each entity remembers (its most recent ones). */
export const MEMORY_CLAIMS_PER_ENTITY = 16;

/** Idle checks the clock hand makes per step beyond making room: a full turn takes as many steps as entries held. */
const IDLE_CHECKS_PER_STEP = 1;

/**
 * Second chances the hand may give in one step (bounds a step's work); then it evicts the least
 * recently touched of the entries it passed.
 */
const MAX_SECOND_CHANCES = 64;

/** One entity's profile, version and most recent claims (a ring, oldest overwritten first), and its place on the clock. */
export interface Entry {
  readonly role: EntityRole;
  readonly id: string;
  readonly state: ProfileState;
  version: number;
  claims: string[] | null;
  claimVersions: number[] | null;
  nextClaim: number;
  /** Index in the clock's ring. */
  slot: number;
  /** The step that last touched it, or -1 when the clock hand passed since (its second chance is used). */
  touched: number;
}

/** The version `claim` was applied at on `e`, or -1 when `e` does not remember it. */
export function claimed(e: Entry, claim: string): number {
  const claims = e.claims;
  if (claims === null) return -1;
  for (let i = 0; i < claims.length; i++) if (claims[i] === claim) return (e.claimVersions as number[])[i] as number;
  return -1;
}

/** Records that `claim` was merged at `version`, overwriting the oldest of the last {@link MEMORY_CLAIMS_PER_ENTITY}. */
export function remember(e: Entry, claim: string, version: number): void {
  if (e.claims === null) {
    e.claims = [];
    e.claimVersions = [];
  }
  const at = e.nextClaim;
  e.claims[at] = claim;
  (e.claimVersions as number[])[at] = version;
  e.nextClaim = (at + 1) % MEMORY_CLAIMS_PER_ENTITY;
}

/** True when nothing of `state` is visible to an event at `cutoff` or later; the common case (seen since) costs one comparison. */
function forgottenBy(state: ProfileState, cutoff: number): boolean {
  return state.lastSeen + PROFILE_HORIZON_SECONDS <= cutoff && forgottenFrom(state) <= cutoff;
}

export interface ProfileTableLimits {
  /** Profiles held at most, users and merchants together. */
  readonly maxProfiles: number;
  /** How far behind the latest event time seen a later event may still be, seconds; Infinity = no idle eviction. */
  readonly idleGraceSeconds: number;
  /** Versions of evicted entities kept at most (the oldest evictions are forgotten first). */
  readonly maxTombstones: number;
}

/** Counts since the table was created. */
export interface ProfileTableStats {
  readonly held: Readonly<Record<EntityRole, number>>;
  readonly tombstones: Readonly<Record<EntityRole, number>>;
  readonly evicted: Readonly<Record<EntityRole, Readonly<Record<EvictionReason, number>>>>;
  readonly tombstonesDropped: number;
}

/**
 * The memory store's entities: a map per role, a CLOCK ring over every entry for eviction, and the
 * versions of evicted entities ("tombstones"). Synchronous, no I/O, no clock: idleness is measured
 * in event time, by the latest one merged ({@link ProfileTable.saw}).
 *
 * Eviction, run by {@link ProfileTable.sweep} after each step, with one hand walking the ring:
 * - an entry nothing of which an event at `latest - idleGraceSeconds` or later can see
 *   ({@link forgottenFrom}) is evicted as `idle`: exact, since every event the service still admits
 *   is at most that old, and a new profile scores it the same;
 * - beyond `maxProfiles`, an entry not stepped since the hand last passed is evicted as `capacity`
 *   (second-chance CLOCK, an approximate LRU): its next transactions score as a new entity's.
 * A touch is one number stored on the entry (no list splice, no Map re-insert; the alternatives
 * are compared in docs/performance.md). The hand checks {@link IDLE_CHECKS_PER_STEP} entries a step
 * beyond making room, and gives at most {@link MAX_SECOND_CHANCES} second chances a step, then evicts
 * the least recently touched of those it passed. Removal swaps the ring's last entry into the hole.
 *
 * An evicted entity keeps its version in a tombstone (id → version, no claims), so when it comes
 * back it continues its numbering and replays of the decision log see no gap. Tombstones are far
 * smaller than profiles but not free: beyond `maxTombstones` the oldest are dropped, and such an
 * entity restarts at version 0 (retraining reports a gap for it while the decision log still holds
 * its older rows). Claims are not kept: a retry after an eviction (a capacity one can come minutes
 * after a change) is answered by the decision log, which the service checks first.
 */
export class ProfileTable {
  private readonly entries: Readonly<Record<EntityRole, Map<string, Entry>>> = { user: new Map(), merchant: new Map() };
  private readonly retired: Readonly<Record<EntityRole, Map<string, number>>> = { user: new Map(), merchant: new Map() };
  /** Where dropping the oldest tombstones resumes (a live iterator: a fresh one would rescan deleted slots). */
  private readonly retiredCursor: Record<EntityRole, IterableIterator<string>> = { user: this.retired.user.keys(), merchant: this.retired.merchant.keys() };
  private readonly ring: Entry[] = [];
  private hand = 0;
  /** Number of the current step (sweeps so far): its entries are never evicted for capacity. */
  private step = 0;
  private latest = Number.NEGATIVE_INFINITY;
  private readonly evicted: Record<EntityRole, Record<EvictionReason, number>> = { user: { idle: 0, capacity: 0 }, merchant: { idle: 0, capacity: 0 } };
  private tombstonesDropped = 0;
  private readonly idleChecks: number;

  constructor(private readonly limits: ProfileTableLimits) {
    this.idleChecks = Number.isFinite(limits.idleGraceSeconds) ? IDLE_CHECKS_PER_STEP : 0;
  }

  /** The entry of `id`, or undefined; no touch. */
  find(role: EntityRole, id: string): Entry | undefined {
    return this.entries[role].get(id);
  }

  /** The version an evicted entity left (0 when none is kept). */
  retiredVersion(role: EntityRole, id: string): number {
    return this.retired[role].get(id) ?? 0;
  }

  /** The entry of `id`, marked used by this step; created empty (at its tombstone's version, if any) when absent. */
  touch(role: EntityRole, id: string): Entry {
    const e = this.entries[role].get(id);
    if (e === undefined) return this.create(role, id, emptyProfile(), this.takeRetired(role, id));
    e.touched = this.step;
    return e;
  }

  /** Replaces (or creates) `id`'s entry by `state` at `version`; an empty state with a version becomes a tombstone. */
  replace(role: EntityRole, id: string, state: ProfileState, version: number): Entry | null {
    const old = this.entries[role].get(id);
    if (old !== undefined) this.remove(old);
    this.retired[role].delete(id);
    if (isEmptyProfile(state)) {
      if (version > 0) this.retire(role, id, version);
      return null;
    }
    return this.create(role, id, state, version);
  }

  /** Notes an event time merged (epoch seconds): idleness is measured from the latest. */
  saw(epochSeconds: number): void {
    if (epochSeconds > this.latest) this.latest = epochSeconds;
  }

  /**
   * Ends a step: evicts what is over `maxProfiles` (never an entry this step touched: at most two
   * are, and `maxProfiles` is at least 2), and checks a few entries for idleness.
   */
  sweep(): void {
    const ring = this.ring;
    const cutoff = this.latest - this.limits.idleGraceSeconds;
    const idle = this.idleChecks > 0;
    const step = this.step;
    let checks = this.idleChecks;
    let chances = MAX_SECOND_CHANCES;
    // Out of second chances, the least recently touched of the entries passed goes (a sampled LRU).
    let fallback: Entry | null = null;
    let fallbackTouched = Number.POSITIVE_INFINITY;
    while (ring.length > this.limits.maxProfiles || (checks > 0 && ring.length > 0)) {
      if (this.hand >= ring.length) this.hand = 0;
      const e = ring[this.hand] as Entry;
      const over = ring.length > this.limits.maxProfiles;
      if (!over) checks--;
      // An evicted entry's slot takes the ring's last one: the hand stays to look at it.
      if (idle && forgottenBy(e.state, cutoff)) this.evict(e, 'idle');
      else if (!over || e.touched === step) this.hand++;
      else if (e.touched < 0) this.evict(e, 'capacity');
      else if (chances > 0) {
        chances--;
        if (e.touched < fallbackTouched) {
          fallback = e;
          fallbackTouched = e.touched;
        }
        e.touched = -1;
        this.hand++;
      } else if (fallback !== null && fallback.slot < ring.length && ring[fallback.slot] === fallback) {
        this.evict(fallback, 'capacity');
        fallback = null;
      } else this.evict(e, 'capacity');
    }
    this.step = step + 1;
  }

  /** Live entries of one role (live states: copy before changing). */
  held(role: EntityRole): IterableIterator<[string, Entry]> {
    return this.entries[role].entries();
  }

  /** Tombstones of one role: id → version. */
  tombstones(role: EntityRole): IterableIterator<[string, number]> {
    return this.retired[role].entries();
  }

  stats(): ProfileTableStats {
    const { entries, retired, evicted } = this;
    return {
      held: { user: entries.user.size, merchant: entries.merchant.size },
      tombstones: { user: retired.user.size, merchant: retired.merchant.size },
      evicted: { user: { ...evicted.user }, merchant: { ...evicted.merchant } },
      tombstonesDropped: this.tombstonesDropped,
    };
  }

  private create(role: EntityRole, id: string, state: ProfileState, version: number): Entry {
    const e: Entry = { role, id, state, version, claims: null, claimVersions: null, nextClaim: 0, slot: this.ring.length, touched: this.step };
    this.entries[role].set(id, e);
    this.ring.push(e);
    return e;
  }

  private takeRetired(role: EntityRole, id: string): number {
    const retired = this.retired[role];
    const version = retired.get(id);
    if (version === undefined) return 0;
    retired.delete(id);
    return version;
  }

  private remove(e: Entry): void {
    const last = this.ring.pop() as Entry;
    if (last !== e) {
      this.ring[e.slot] = last;
      last.slot = e.slot;
    }
    this.entries[e.role].delete(e.id);
  }

  private evict(e: Entry, reason: EvictionReason): void {
    this.remove(e);
    this.evicted[e.role][reason]++;
    if (e.version > 0) this.retire(e.role, e.id, e.version);
  }

  private retire(role: EntityRole, id: string, version: number): void {
    this.retired[role].set(id, version);
    const { user, merchant } = this.retired;
    while (user.size + merchant.size > this.limits.maxTombstones) this.dropOldest(user.size >= merchant.size ? 'user' : 'merchant');
  }

  private dropOldest(role: EntityRole): void {
    let next = this.retiredCursor[role].next();
    if (next.done === true) {
      this.retiredCursor[role] = this.retired[role].keys();
      next = this.retiredCursor[role].next();
    }
    if (next.done === true) return;
    this.retired[role].delete(next.value);
    this.tombstonesDropped++;
  }
}
