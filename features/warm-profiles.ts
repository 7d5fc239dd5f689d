import { PROFILE_DATA_LENGTH, TOP_OFFSET, type ProfileState } from './profile-state';

/** Doubles per 64-byte cache line. */
const LINE = 8;

/**
 * Reads one value from every cache line of both profiles' counters and the headers of the user's
 * sets, back to back, and returns a meaningless sum (keep it, e.g. add it to a field, so the reads
 * are not optimised away). Changes nothing.
 *
 * Why: computing and applying a transaction's features reads a few dozen cache lines of each
 * profile, each reached through two or three pointers. Among thousands of profiles these lines are
 * rarely cached, and reached one after another their misses queue up; issued together, here, the
 * processor overlaps them. Call it just before `computeFeatures` and the updates (its effect is
 * measured in docs/performance.md).
 */
export function warmProfiles(user: ProfileState, merchant: ProfileState): number {
  const u = user.data;
  const m = merchant.data;
  const sets = user.sets;
  let x = (u[TOP_OFFSET] as number) + (m[TOP_OFFSET] as number) + user.lastSeen + merchant.lastSeen;
  x += sets.merchants.size + sets.channels.size + sets.countries.size;
  for (let i = 0; i < PROFILE_DATA_LENGTH; i += LINE) x += (u[i] as number) + (m[i] as number);
  return x;
}
