import { emptyProfile, formatRfc3339, type Transaction } from '../../features';
import { MemoryProfileStore, type MemoryProfileStoreStats } from '../store/memory-profile-store';
import { admittedLagSeconds } from '../store/profile-expiry';

/** One measured run, in a process of its own. */
export interface MemoryRunSpec {
  /** `profiles`: distinct users transact (each also at one of `merchants`); `tombstones`: only evicted entities' versions are put. */
  readonly kind: 'profiles' | 'tombstones';
  /** Distinct users (or tombstones). */
  readonly users: number;
  readonly merchants: number;
  /** The store's MAX_PROFILES; null = no bound. */
  readonly maxProfiles: number | null;
}

/** `process.memoryUsage()` after a full GC, bytes. */
export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface MemoryRunResult {
  readonly spec: MemoryRunSpec;
  readonly before: MemorySample;
  readonly after: MemorySample;
  readonly stats: MemoryProfileStoreStats;
  /** Profiles and tombstones held at the end. */
  readonly entries: { readonly profiles: number; readonly tombstones: number };
  /**
   * (after - before RSS) / the entries the run is about (profiles, or tombstones), bytes; null for a
   * bounded run, whose RSS also holds memory freed by evictions and kept by the allocator for reuse.
   */
  readonly rssBytesPerEntry: number | null;
  /** The same for the V8 heap (live objects only after the GC: meaningful for every run). */
  readonly heapBytesPerEntry: number;
  readonly seconds: number;
  readonly stepsPerSecond: number;
  /** The slowest single step, ms (a GC pause or a Map growing: what a request would wait). */
  readonly slowestStepMs: number;
}

/** A UTC midnight: event time starts there and moves on 0.1 s per transaction (no profile goes idle). */
const T0 = Date.UTC(2024, 0, 1) / 1000;

function sample(gc: () => void): MemorySample {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/**
 * Runs `spec` through a memory store configured as the service configures it (idle grace from the
 * default EVENT_MAX_AGE_S and EVENT_MAX_SKEW_S, no tombstone bound) in this process, and measures
 * what it holds. `gc` is `global.gc` (node --expose-gc). `onProgress` gets the steps done.
 */
export async function runMemoryWorkload(spec: MemoryRunSpec, gc: () => void, onProgress: (done: number) => void): Promise<MemoryRunResult> {
  const store = await MemoryProfileStore.create(undefined, { ...(spec.maxProfiles === null ? {} : { maxProfiles: spec.maxProfiles }), idleGraceSeconds: admittedLagSeconds(604_800, 300) });
  const timestamps = Array.from({ length: 3_600 }, (_, s) => formatRfc3339(T0 + s));
  const empty = emptyProfile();
  const before = sample(gc);
  let slowest = 0;
  const started = performance.now();
  for (let i = 0; i < spec.users; i++) {
    const at = performance.now();
    if (spec.kind === 'tombstones') await store.put({ role: 'user', id: `user-${i}`, state: empty, version: 1 + (i % 1_000) });
    else {
      const txn: Transaction = {
        transactionId: `t${i}`,
        timestamp: timestamps[Math.floor(i / 10) % 3_600] as string,
        userId: `user-${i}`,
        merchantId: `merchant-${i % spec.merchants}`,
        amountMinor: 1_000 + (i % 9_973),
        currency: 'EUR',
        channel: 'ecommerce',
        merchantCountry: 'FR',
      };
      store.transactionSync(txn, () => undefined);
    }
    const took = performance.now() - at;
    if (took > slowest) slowest = took;
    if ((i & 0x3fff) === 0) onProgress(i);
  }
  const seconds = (performance.now() - started) / 1000;
  onProgress(spec.users);
  const after = sample(gc);
  const stats = store.stats();
  const profiles = stats.held.user + stats.held.merchant;
  const tombstones = stats.tombstones.user + stats.tombstones.merchant;
  const about = spec.kind === 'tombstones' ? tombstones : profiles;
  return {
    spec,
    before,
    after,
    stats,
    entries: { profiles, tombstones },
    rssBytesPerEntry: spec.kind === 'profiles' && spec.maxProfiles !== null ? null : Math.round((after.rss - before.rss) / about),
    heapBytesPerEntry: Math.round((after.heapUsed - before.heapUsed) / (spec.kind === 'tombstones' ? tombstones : profiles + tombstones)),
    seconds,
    stepsPerSecond: Math.round(spec.users / seconds),
    slowestStepMs: slowest,
  };
}
