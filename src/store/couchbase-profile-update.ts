import type { ProfileDelta } from '../../features';
import { decodeProfileDocument, type ProfileDocument } from './couchbase-profile-document';
import { planProfileWrite, type PathIncrement } from './couchbase-write-plan';

/** What a guarded write reports: done, or lost a race (CAS changed, document appeared or vanished). */
export type WriteOutcome = 'ok' | 'conflict';

/**
 * The key-value operations one profile update needs, as the Couchbase adapter provides them (and a
 * test double can). `Cas` is the store's opaque version token. Other failures reject.
 */
export interface ProfileDocumentOps<Cas> {
  /** The document and its CAS, or null when there is none. */
  read(key: string): Promise<{ readonly content: unknown; readonly cas: Cas } | null>;
  /** Creates the document; `conflict` when it exists. */
  insert(key: string, document: ProfileDocument): Promise<WriteOutcome>;
  /** Replaces the document if its CAS is still `cas`; `conflict` when it changed or vanished. */
  replace(key: string, document: ProfileDocument, cas: Cas): Promise<WriteOutcome>;
  /** Applies every increment in one atomic sub-document request; `conflict` when there is no document. */
  increment(key: string, increments: readonly PathIncrement[]): Promise<WriteOutcome>;
}

export interface UpdateOptions {
  /** Reads before giving up under contention. */
  readonly maxAttempts: number;
  /** Waits before attempt `attempt` (2, 3, …); jittered backoff spreads contending writers. */
  readonly backoff: (attempt: number) => Promise<void>;
}

/** Random wait of up to min(2^attempt, 50) ms: the default {@link UpdateOptions.backoff}. */
export function jitteredBackoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
}

/**
 * Merges `delta` into the document `key` atomically: read, plan (couchbase-write-plan.ts), then
 * either an unguarded increment request or a CAS-guarded rewrite, again from a fresh read after a
 * lost race. Rejects when an operation fails, when the stored document is malformed, or (Error
 * naming the key) after `maxAttempts` lost races.
 */
export async function updateProfileDocument<Cas>(ops: ProfileDocumentOps<Cas>, key: string, delta: ProfileDelta, options: UpdateOptions): Promise<void> {
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    if (attempt > 1) await options.backoff(attempt);
    const read = await ops.read(key);
    const plan = planProfileWrite(read === null ? null : decodeProfileDocument(read.content, key), delta);
    let outcome: WriteOutcome;
    switch (plan.kind) {
      case 'none':
        return;
      case 'increment':
        outcome = await ops.increment(key, plan.increments);
        break;
      case 'write':
        outcome = read === null ? await ops.insert(key, plan.document) : await ops.replace(key, plan.document, read.cas);
        break;
    }
    if (outcome === 'ok') return;
  }
  throw new Error(`couchbase profile ${key}: gave up after ${options.maxAttempts} conflicting concurrent writes`);
}
