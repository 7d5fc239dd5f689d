import { Counter, Gauge, type Registry } from 'prom-client';
import type { EntityRole } from '../../features';
import { EVICTION_REASONS, type ProfileTableStats } from '../store/memory-profile-table';

const ROLES: readonly EntityRole[] = ['user', 'merchant'];

/**
 * Registers the memory profile store's metrics on `registry`, read from `store.stats()` when the
 * registry is scraped (nothing is counted on the hot path):
 * - `fraud_profiles_evicted_total{role,reason}`: profiles evicted, `idle` (past the horizon: no
 *   feature changed) or `capacity` (over MAX_PROFILES: the entity's next transactions score as new);
 * - `fraud_profiles_held{role}` and `fraud_profile_tombstones{role}`: profiles held, and versions
 *   kept for evicted entities;
 * - `fraud_profile_tombstones_dropped_total`: tombstones forgotten over MAX_PROFILE_TOMBSTONES
 *   (those entities restart at version 0).
 * Every series exists from the start (at 0).
 */
export function registerMemoryStoreMetrics(registry: Registry, store: { stats(): ProfileTableStats }): void {
  const reported: Record<EntityRole, Record<string, number>> = { user: { idle: 0, capacity: 0 }, merchant: { idle: 0, capacity: 0 } };
  let droppedReported = 0;
  const evicted = new Counter({
    name: 'fraud_profiles_evicted_total',
    help: 'Profiles the memory store evicted, by role and reason: idle (past the 90-day horizon, no feature changed) or capacity (over MAX_PROFILES, the entity scores as new)',
    labelNames: ['role', 'reason'],
    registers: [registry],
    collect() {
      const { evicted: counts } = store.stats();
      for (const role of ROLES) {
        for (const reason of EVICTION_REASONS) {
          const n = counts[role][reason] - (reported[role][reason] as number);
          reported[role][reason] = counts[role][reason];
          this.inc({ role, reason }, n);
        }
      }
    },
  });
  for (const role of ROLES) for (const reason of EVICTION_REASONS) evicted.inc({ role, reason }, 0);
  new Gauge({
    name: 'fraud_profiles_held',
    help: 'Profiles the memory store holds, by role',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      const { held } = store.stats();
      for (const role of ROLES) this.set({ role }, held[role]);
    },
  });
  new Gauge({
    name: 'fraud_profile_tombstones',
    help: 'Versions the memory store keeps for evicted entities, by role',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      const { tombstones } = store.stats();
      for (const role of ROLES) this.set({ role }, tombstones[role]);
    },
  });
  new Counter({
    name: 'fraud_profile_tombstones_dropped_total',
    help: 'Tombstones of evicted entities forgotten over MAX_PROFILE_TOMBSTONES (such an entity restarts at version 0)',
    registers: [registry],
    collect() {
      const dropped = store.stats().tombstonesDropped;
      this.inc(dropped - droppedReported);
      droppedReported = dropped;
    },
  });
}
