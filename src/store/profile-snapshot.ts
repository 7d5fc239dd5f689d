import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { emptyProfile, PROFILE_DATA_LENGTH, raiseTierTop, restoreBucket, SET_NAMES, slotOf, TIERS, tierTop, visibleBuckets, type EntityRole, type ProfileState, type SetName } from '../../features';

/** One line of a profile snapshot file (NDJSON). */
export interface SnapshotLine {
  readonly role: EntityRole;
  readonly id: string;
  readonly lastSeen: number | null;
  readonly total: number;
  /** The profile's counters in the snapshot layout ({@link SNAPSHOT_DATA_LENGTH}), float64 little-endian, base64. */
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

/** Encodes one profile as a snapshot line. */
export function encodeProfile(role: EntityRole, id: string, p: ProfileState): SnapshotLine {
  const sets: Partial<Record<SetName, Record<string, number>>> = {};
  for (const name of SET_NAMES) if (p.sets[name].size > 0) sets[name] = Object.fromEntries(p.sets[name]);
  const data = snapshotData(p);
  return {
    role,
    id,
    lastSeen: p.lastSeen === Number.NEGATIVE_INFINITY ? null : p.lastSeen,
    total: p.total,
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    sets,
  };
}

/**
 * Decodes a snapshot line: `data` in the snapshot layout, or as the profile's own array (lines
 * written by the builds that briefly wrote that). Throws a RangeError when it has neither size.
 */
export function decodeProfile(line: SnapshotLine): ProfileState {
  const p = emptyProfile();
  const bytes = Buffer.from(line.data, 'base64');
  const data = new Float64Array(new Uint8Array(bytes).buffer, 0, Math.floor(bytes.length / 8));
  if (bytes.length === SNAPSHOT_DATA_LENGTH * 8) restoreSnapshotData(p, data);
  else if (bytes.length === PROFILE_DATA_LENGTH * 8) p.data.set(data);
  else throw new RangeError(`profile ${line.role}:${line.id} has ${bytes.length} data bytes, expected ${SNAPSHOT_DATA_LENGTH * 8}`);
  p.lastSeen = line.lastSeen ?? Number.NEGATIVE_INFINITY;
  p.total = line.total;
  for (const name of SET_NAMES) for (const [k, v] of Object.entries(line.sets[name] ?? {})) p.sets[name].set(k, v);
  return p;
}

/** Every profile of a users map and a merchants map, as (role, id, profile), users first. */
export function* profileEntries(p: {
  readonly users: ReadonlyMap<string, ProfileState>;
  readonly merchants: ReadonlyMap<string, ProfileState>;
}): Generator<readonly [EntityRole, string, ProfileState]> {
  for (const [id, state] of p.users) yield ['user', id, state];
  for (const [id, state] of p.merchants) yield ['merchant', id, state];
}

/** Writes profiles as NDJSON snapshot lines. */
export async function writeSnapshot(path: string, profiles: Iterable<readonly [EntityRole, string, ProfileState]>): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  for (const [role, id, p] of profiles) {
    if (!out.write(`${JSON.stringify(encodeProfile(role, id, p))}\n`)) await once(out, 'drain');
    n++;
  }
  out.end();
  await once(out, 'finish');
  return n;
}

/** Reads a snapshot file line by line. Throws naming the line of a malformed entry. */
export async function* readSnapshot(path: string): AsyncGenerator<readonly [EntityRole, string, ProfileState]> {
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
    yield [line.role, line.id, decodeProfile(line)];
  }
}
