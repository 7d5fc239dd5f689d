import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { emptyProfile, hasMember, isEmptyProfile, PROFILE_DATA_LENGTH, raiseTierTop, restoreBucket, SET_NAMES, slotOf, TIERS, tierTop, visibleBuckets, type EntityRole, type ProfileState, type SetName } from '../../features';
import type { ProfileStoreAdmin, StoredProfile } from './profile-store';

/** One line of a profile snapshot file (NDJSON). */
export interface SnapshotLine {
  readonly role: EntityRole;
  readonly id: string;
  readonly lastSeen: number | null;
  readonly total: number;
  /** The profile's version (changes merged since the store created it); absent in older files = 0. */
  readonly version?: number;
  /**
   * The profile's counters in the snapshot layout ({@link SNAPSHOT_DATA_LENGTH}), float64
   * little-endian, base64; empty for an empty profile (an evicted entity's version, its tombstone:
   * builds before tombstones refuse such a line).
   */
  readonly data: string;
  readonly sets: Readonly<Partial<Record<SetName, Readonly<Record<string, number>>>>>;
}

/**
 * Length of a snapshot line's `data`: per tier a ring of four arrays of `length` doubles (bucket
 * ids, NaN = unused; `n`; `s`; `f`; slot = id mod length), then the tiers' tops. This is the
 * layout profiles had in memory before ring slots stopped storing their ids; snapshots keep it, so
 * files written by this version and by earlier ones read both ways (a rollback included).
 */
const SNAPSHOT_DATA_LENGTH = TIERS.reduce((sum, t) => sum + 4 * t.length, 0) + TIERS.length;

/** A profile's counters in the snapshot layout. */
function snapshotData(p: ProfileState): Float64Array {
  const data = new Float64Array(SNAPSHOT_DATA_LENGTH);
  const tops = SNAPSHOT_DATA_LENGTH - TIERS.length;
  let ring = 0;
  TIERS.forEach((tier, i) => {
    const L = tier.length;
    data.fill(Number.NaN, ring, ring + L);
    for (const [id, n, s, f] of visibleBuckets(p, i)) {
      const k = ring + slotOf(id, L);
      data[k] = id;
      data[k + L] = n;
      data[k + 2 * L] = s;
      data[k + 3 * L] = f;
    }
    data[tops + i] = tierTop(p, i);
    ring += 4 * L;
  });
  return data;
}

/** Restores the visible buckets of a snapshot-layout `data` array into `p`. */
function restoreSnapshotData(p: ProfileState, data: Float64Array): void {
  const tops = SNAPSHOT_DATA_LENGTH - TIERS.length;
  let ring = 0;
  TIERS.forEach((tier, i) => {
    const L = tier.length;
    raiseTierTop(p, i, data[tops + i] as number);
    for (let k = ring; k < ring + L; k++) restoreBucket(p, i, data[k] as number, data[k + L] as number, data[k + 2 * L] as number, data[k + 3 * L] as number);
    ring += 4 * L;
  });
}

/**
 * Encodes one profile as a snapshot line. Canonical: only what features can see is written (the
 * visible buckets, the set members within the horizon, keys sorted), so two profiles with the same
 * visible state and version encode to the same line whatever store or replay held them.
 */
export function encodeProfile({ role, id, state: p, version }: StoredProfile): SnapshotLine {
  const sets: Partial<Record<SetName, Record<string, number>>> = {};
  for (const name of SET_NAMES) {
    const visible = [...p.sets[name]].filter(([k]) => hasMember(p, name, k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (visible.length > 0) sets[name] = Object.fromEntries(visible);
  }
  const data = isEmptyProfile(p) ? null : snapshotData(p);
  return {
    role,
    id,
    lastSeen: p.lastSeen === Number.NEGATIVE_INFINITY ? null : p.lastSeen,
    total: p.total,
    version,
    data: data === null ? '' : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    sets,
  };
}

/**
 * Decodes a snapshot line: `data` in the snapshot layout, or as the profile's own array (lines
 * written by the builds that briefly wrote that), or empty (no counters). Throws a RangeError when
 * it has none of those sizes.
 */
export function decodeProfile(line: SnapshotLine): ProfileState {
  const p = emptyProfile();
  const bytes = Buffer.from(line.data, 'base64');
  const data = new Float64Array(new Uint8Array(bytes).buffer, 0, Math.floor(bytes.length / 8));
  if (bytes.length === SNAPSHOT_DATA_LENGTH * 8) restoreSnapshotData(p, data);
  else if (bytes.length === PROFILE_DATA_LENGTH * 8) p.data.set(data);
  else if (bytes.length !== 0) throw new RangeError(`profile ${line.role}:${line.id} has ${bytes.length} data bytes, expected ${SNAPSHOT_DATA_LENGTH * 8}`);
  p.lastSeen = line.lastSeen ?? Number.NEGATIVE_INFINITY;
  p.total = line.total;
  for (const name of SET_NAMES) for (const [k, v] of Object.entries(line.sets[name] ?? {})) p.sets[name].set(k, v);
  return p;
}

/**
 * Every profile of a users map and a merchants map, users first, at version 0 (an offline replay's
 * profiles: a store seeded with them counts its versions from there).
 */
export function* profileEntries(p: {
  readonly users: ReadonlyMap<string, ProfileState>;
  readonly merchants: ReadonlyMap<string, ProfileState>;
}): Generator<StoredProfile> {
  for (const [id, state] of p.users) yield { role: 'user', id, state, version: 0 };
  for (const [id, state] of p.merchants) yield { role: 'merchant', id, state, version: 0 };
}

/** The snapshot line of a profile as one line of text (with its newline). */
export function snapshotText(p: StoredProfile): string {
  return `${JSON.stringify(encodeProfile(p))}\n`;
}

/** Writes profiles as NDJSON snapshot lines (sync or async iterables); resolves to the number written. */
export async function writeSnapshot(path: string, profiles: Iterable<StoredProfile> | AsyncIterable<StoredProfile>): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  for await (const p of profiles) {
    if (!out.write(snapshotText(p))) await once(out, 'drain');
    n++;
  }
  out.end();
  await once(out, 'finish');
  return n;
}

/** Reads a snapshot file line by line. Throws naming the line of a malformed entry. */
export async function* readSnapshot(path: string): AsyncGenerator<StoredProfile> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() === '') continue;
    let line: SnapshotLine;
    try {
      line = JSON.parse(text) as SnapshotLine;
      if ((line.role !== 'user' && line.role !== 'merchant') || typeof line.id !== 'string') throw new Error('role/id missing');
    } catch (err) {
      throw new Error(`${path}:${n}: not a profile snapshot line (${(err as Error).message})`);
    }
    const version = line.version ?? 0;
    if (!Number.isSafeInteger(version) || version < 0) throw new Error(`${path}:${n}: version must be a non-negative integer, got ${String(version)}`);
    yield { role: line.role, id: line.id, state: decodeProfile(line), version };
  }
}

/** Every profile of a snapshot file, by role and id (a replay's seed); empty maps without a file. */
export async function readSeed(path: string | undefined): Promise<Record<EntityRole, Map<string, StoredProfile>>> {
  const seed: Record<EntityRole, Map<string, StoredProfile>> = { user: new Map(), merchant: new Map() };
  if (path !== undefined) for await (const p of readSnapshot(path)) seed[p.role].set(p.id, p);
  return seed;
}

/**
 * Loads a snapshot file into a store (`put`, up to `concurrency` at once), then restores its
 * sentinels: what `fraudctl profiles load` does for a networked store. Resolves to the number of
 * profiles loaded; rejects with the file's or the store's error.
 */
export async function loadSnapshotInto(admin: ProfileStoreAdmin, path: string, concurrency = 256): Promise<number> {
  let n = 0;
  let batch: Promise<void>[] = [];
  for await (const p of readSnapshot(path)) {
    batch.push(admin.put(p));
    n++;
    if (batch.length === concurrency) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  await admin.restoreSentinels();
  return n;
}
