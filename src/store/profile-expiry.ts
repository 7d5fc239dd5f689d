import { PROFILE_HORIZON_SECONDS } from '../../features';

/** Expiries beyond this (seconds, 20 years) are none: Couchbase refuses some, and no deployment waits for them. */
export const LONGEST_EXPIRY_SECONDS = 20 * 365 * 86_400;

/** Allowance for the wall clocks of the service's replicas and of the store differing, seconds. */
export const CLOCK_MARGIN_SECONDS = 3_600;

/**
 * How far behind the latest event time a store has merged an event the service still admits may
 * be, seconds: it refuses events more than `maxAgeSeconds` (EVENT_MAX_AGE_S) behind its clock, and
 * the latest one merged may have been up to `maxSkewSeconds` (EVENT_MAX_SKEW_S) ahead of it. The
 * memory store's idle grace.
 */
export function admittedLagSeconds(maxAgeSeconds: number, maxSkewSeconds: number): number {
  return maxAgeSeconds + maxSkewSeconds;
}

/**
 * Wall-clock seconds after an entity's last change from which nothing of its profile is visible to
 * any event the service admits: the Redis and Couchbase profile TTL. Every event time the profile
 * holds was at most EVENT_MAX_SKEW_S ahead of the clock when it was merged, so nothing of it is
 * visible from that plus {@link PROFILE_HORIZON_SECONDS} on (features/profile-state.ts
 * `forgottenFrom`), and an event admitted a TTL later is at most EVENT_MAX_AGE_S older than the
 * clock; {@link CLOCK_MARGIN_SECONDS} covers clocks. With the defaults (7 days, 300 s): 97 days
 * and 1 h 5 min.
 */
export function profileExpirySeconds(lagSeconds: number): number {
  return PROFILE_HORIZON_SECONDS + lagSeconds + CLOCK_MARGIN_SECONDS;
}

/**
 * The Redis and Couchbase TTLs of an entity, seconds after its last change: its profile's
 * ({@link profileExpirySeconds}) and its version's (at least `retentionSeconds`, and at least the
 * profile's). Both 0 (never) when the profile's would exceed {@link LONGEST_EXPIRY_SECONDS} (a
 * service admitting events of any age: replays of historical data).
 */
export function entityExpiry(lagSeconds: number, retentionSeconds: number): { readonly ttlSeconds: number; readonly versionTtlSeconds: number } {
  const ttlSeconds = profileExpirySeconds(lagSeconds);
  if (ttlSeconds > LONGEST_EXPIRY_SECONDS) return { ttlSeconds: 0, versionTtlSeconds: 0 };
  return { ttlSeconds, versionTtlSeconds: Math.min(LONGEST_EXPIRY_SECONDS, Math.max(ttlSeconds, retentionSeconds)) };
}
