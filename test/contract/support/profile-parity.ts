import {
  computeFeatures,
  COUNTER_FIELDS,
  FEATURE_NAMES,
  hasMember,
  SET_NAMES,
  TIERS,
  tierTop,
  windowSum,
  type ProfileState,
  type Transaction,
} from '../../../features';
import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import type { ProfileStore } from '../../../src/store/profile-store';
import { applyUpdates, MERCHANTS, queryTransactions, USERS, type ProfileUpdate, type ScenarioEvent } from './profile-events';

/**
 * What "parity with the memory store" means, as lists of differences (empty = parity): identical
 * feature bits for every query, and identical visible state.
 */

/** The user's and merchant's profiles of one query. */
export interface ProfilePairState {
  readonly user: ProfileState;
  readonly merchant: ProfileState;
}

/**
 * The features of `q` that differ between two profile pairs, compared as Float32 bit patterns (so
 * NaN equals NaN and nothing else), each as "name at time: got x, memory store y". Empty = identical.
 */
export function featureDiff(q: Transaction, got: ProfilePairState, want: ProfilePairState): string[] {
  const a = computeFeatures(q, got.user, got.merchant);
  const b = computeFeatures(q, want.user, want.merchant);
  const bitsA = new Uint32Array(a.buffer);
  const bitsB = new Uint32Array(b.buffer);
  const out: string[] = [];
  for (let i = 0; i < bitsA.length; i++) if (bitsA[i] !== bitsB[i]) out.push(`${FEATURE_NAMES[i]} at ${q.timestamp}: got ${a[i]}, memory store ${b[i]}`);
  return out;
}

/**
 * Where two profiles' visible states differ (lastSeen, total, tier tops, every visible bucket's
 * counters, every visible member's time), as "who what: got x, memory store y". This is what
 * parity means beyond today's features: invisible leftovers may differ, nothing else may.
 */
export function visibleStateDiff(who: string, got: ProfileState, want: ProfileState): string[] {
  const out: string[] = [];
  const check = (what: string, a: number | undefined, b: number | undefined) => {
    if (!Object.is(a, b)) out.push(`${who} ${what}: got ${a}, memory store ${b}`);
  };
  check('lastSeen', got.lastSeen, want.lastSeen);
  check('total', got.total, want.total);
  TIERS.forEach((tier, i) => {
    const top = tierTop(want, i);
    check(`${tier.name} top`, tierTop(got, i), top);
    if (top === Number.NEGATIVE_INFINITY) return;
    for (let id = top - tier.length + 1; id <= top; id++) {
      for (const field of COUNTER_FIELDS) check(`${tier.name} bucket ${id} ${field}`, windowSum(got, i, field, id, id), windowSum(want, i, field, id, id));
    }
  });
  for (const name of SET_NAMES) {
    for (const key of new Set([...got.sets[name].keys(), ...want.sets[name].keys()])) {
      const visible = hasMember(want, name, key);
      check(`${name} ${key} visible`, hasMember(got, name, key) ? 1 : 0, visible ? 1 : 0);
      if (visible) check(`${name} ${key} at`, got.sets[name].get(key), want.sets[name].get(key));
    }
  }
  return out;
}

/** The reference: a memory store with `updates` applied in order. */
export async function memoryOf(updates: readonly ProfileUpdate[]): Promise<MemoryProfileStore> {
  const m = await MemoryProfileStore.create();
  await applyUpdates(m, updates);
  return m;
}

/** Every entity's visible state and every pair's features for every query, adapter vs memory store; lists the differences. */
export async function parityDiff(store: ProfileStore, reference: MemoryProfileStore, events: readonly ScenarioEvent[]): Promise<string[]> {
  const diff: string[] = [];
  for (const user of USERS) {
    for (const merchant of MERCHANTS) {
      const got = await store.get(user, merchant);
      const want = reference.getSync(user, merchant);
      if (merchant === MERCHANTS[0]) diff.push(...visibleStateDiff(`user ${user}`, got.user, want.user));
      if (user === USERS[0]) diff.push(...visibleStateDiff(`merchant ${merchant}`, got.merchant, want.merchant));
      for (const q of queryTransactions(events, user, merchant)) diff.push(...featureDiff(q, got, want));
    }
  }
  return diff;
}
