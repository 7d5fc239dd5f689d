import { createHmac } from 'node:crypto';

/** How decision events carry the user id: a keyed pseudonym (default), the raw id, or nothing. */
export type UserIdInEvents = 'pseudonym' | 'raw' | 'omit';

/** What a thread needs to build the user field (cloneable to a worker: the key as hex). */
export interface UserIdPolicy {
  readonly mode: UserIdInEvents;
  /** HMAC-SHA256 key, hex; required for `pseudonym`. */
  readonly keyHex: string | null;
}

/**
 * The `fraud.*` user fields of a decision event for a user id: `{user_pseudonym}` (HMAC-SHA256 of
 * the id under the key, hex, 32 characters: stable for one key, so analysts can still group a
 * user's events, and not reversible without the key), `{user_id}`, or none. Throws a RangeError
 * for `pseudonym` without a key.
 */
export function userIdFields(policy: UserIdPolicy): (userId: string) => Readonly<Record<string, string>> {
  switch (policy.mode) {
    case 'raw':
      return (userId) => ({ user_id: userId });
    case 'omit':
      return () => ({});
    case 'pseudonym': {
      if (policy.keyHex === null) throw new RangeError('a pseudonym key is required');
      const key = Buffer.from(policy.keyHex, 'hex');
      return (userId) => ({ user_pseudonym: createHmac('sha256', key).update(userId).digest('hex').slice(0, 32) });
    }
  }
}
