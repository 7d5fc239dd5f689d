import { applyDelta, applyTransaction, copyProfile, emptyProfile, type ProfileState } from '../../features';
import { decodeProfileDocument, documentClaims, documentVersion, encodeProfileDocument, profileExpired, type ProfileDocument } from './couchbase-profile-document';
import type { EntityOp, EntityOutcome } from './profile-store';

/** What a guarded write reports: done, or lost a race (CAS changed, document appeared or vanished). */
export type WriteOutcome = 'ok' | 'conflict';

/**
 * The key-value operations one step needs, as the Couchbase adapter provides them (and a test
 * double can). `Cas` is the store's opaque version token. Other failures reject.
 */
export interface ProfileDocumentOps<Cas> {
  /** The document and its CAS, or null when there is none. */
  read(key: string): Promise<{ readonly content: unknown; readonly cas: Cas } | null>;
  /** Creates the document; `conflict` when it exists. */
  insert(key: string, document: ProfileDocument): Promise<WriteOutcome>;
  /** Replaces the document if its CAS is still `cas`; `conflict` when it changed or vanished. */
  replace(key: string, document: ProfileDocument, cas: Cas): Promise<WriteOutcome>;
}

export interface StepOptions {
  /** Reads before giving up under contention. */
  readonly maxAttempts: number;
  /** Waits before attempt `attempt` (2, 3, …); jittered backoff spreads contending writers. */
  readonly backoff: (attempt: number) => Promise<void>;
  /** Claims younger than this (ms) are kept in the document. */
  readonly claimWindowMs: number;
  /** At most this many claims are kept (the newest): a hot entity's document stays small. */
  readonly maxClaims: number;
  /** Wall clock, ms. */
  readonly now: () => number;
  /** A profile unchanged for this long (ms) reads as empty, its version kept (see `profileExpired`); 0 or absent = never. */
  readonly profileTtlMs?: number;
}

/**
 * The profile a document holds as of `now`: empty once it expired (see `profileExpired`). Throws
 * naming the entity when the document is malformed.
 */
export function documentProfile(content: unknown, key: string, now: number, profileTtlMs: number): ProfileState {
  return profileExpired(content, now, profileTtlMs, key) ? emptyProfile() : decodeProfileDocument(content, key);
}

/** Random wait of up to min(2^attempt, 50) ms: the default {@link StepOptions.backoff}. */
export function jitteredBackoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
}

/** The claims to keep beside a new one: within the window, the newest `max - 1`. */
function keptClaims(claims: Map<string, readonly [number, number]>, now: number, options: StepOptions): [string, [number, number]][] {
  const fresh = [...claims].filter(([, [, at]]) => at > now - options.claimWindowMs).sort((a, b) => b[1][0] - a[1][0]);
  return fresh.slice(0, Math.max(0, options.maxClaims - 1)).map(([claim, [v, at]]) => [claim, [v, at]]);
}

/**
 * One step of the profile store port on the document `key` (see `ProfileStore.step`): read,
 * check the claim, merge the change into the decoded profile, and write the whole document back
 * with the version raised and the claim recorded, guarded by the CAS of the read (inserted when
 * there was none); after a lost race, again from a fresh read. The read state is exactly the state
 * the change was merged into, because the write succeeds only if nothing changed in between.
 * Rejects when an operation fails, when the stored document is malformed, or (Error naming the
 * key) after `maxAttempts` lost races.
 */
export async function stepProfileDocument<Cas>(ops: ProfileDocumentOps<Cas>, key: string, op: EntityOp, options: StepOptions): Promise<EntityOutcome> {
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    if (attempt > 1) await options.backoff(attempt);
    const read = await ops.read(key);
    const content = read === null ? null : read.content;
    const now = options.now();
    const state = documentProfile(content, key, now, options.profileTtlMs ?? 0);
    const version = documentVersion(content, key);
    const claims = documentClaims(content, key);
    const reads = op.change.kind === 'transaction';
    const earlier = claims.get(op.claim);
    if (earlier !== undefined) return { kind: 'claimed', state: reads ? state : null, version, appliedVersion: earlier[0] };
    const next = copyProfile(state);
    if (op.change.kind === 'transaction') applyTransaction(next, op.role, op.change.txn);
    else applyDelta(next, op.change.delta);
    const document: ProfileDocument = { ...encodeProfileDocument(next), v: version + 1, cl: Object.fromEntries([...keptClaims(claims, now, options), [op.claim, [version + 1, now]]]), lc: now };
    const outcome = read === null ? await ops.insert(key, document) : await ops.replace(key, document, read.cas);
    if (outcome === 'ok') return { kind: 'applied', state: reads ? state : null, version, appliedVersion: version + 1 };
  }
  throw new Error(`couchbase profile ${key}: gave up after ${options.maxAttempts} conflicting concurrent writes`);
}
