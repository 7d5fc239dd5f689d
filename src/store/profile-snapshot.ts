import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { emptyProfile, PROFILE_DATA_LENGTH, raiseTierTop, restoreBucket, SET_NAMES, TIERS, type EntityRole, type ProfileState, type SetName } from '../../features';

/** One line of a profile snapshot file (NDJSON). */
export interface SnapshotLine {
  readonly role: EntityRole;
  readonly id: string;
  readonly lastSeen: number | null;
  readonly total: number;
  /** The profile's `data` array (see profile-state.ts), float64 little-endian, base64. */
  readonly data: string;
  readonly sets: Readonly<Partial<Record<SetName, Readonly<Record<string, number>>>>>;
}

/** Encodes one profile as a snapshot line. */
export function encodeProfile(role: EntityRole, id: string, p: ProfileState): SnapshotLine {
  const sets: Partial<Record<SetName, Record<string, number>>> = {};
  for (const name of SET_NAMES) if (p.sets[name].size > 0) sets[name] = Object.fromEntries(p.sets[name]);
  return {
    role,
    id,
    lastSeen: p.lastSeen === Number.NEGATIVE_INFINITY ? null : p.lastSeen,
    total: p.total,
    data: Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('base64'),
    sets,
  };
}

/**
 * Length of `data` in snapshots written before ring slots stopped storing their bucket ids: per
 * tier a ring of four arrays of `length` doubles (ids, NaN = unused; `n`; `s`; `f`), then the tops.
 */
const LEGACY_DATA_LENGTH = TIERS.reduce((sum, t) => sum + 4 * t.length, 0) + TIERS.length;

/** Restores the visible buckets of a legacy `data` array (see {@link LEGACY_DATA_LENGTH}) into `p`. */
function restoreLegacy(p: ProfileState, data: Float64Array): void {
  const tops = LEGACY_DATA_LENGTH - TIERS.length;
  let ring = 0;
  TIERS.forEach((tier, i) => {
    const L = tier.length;
    raiseTierTop(p, i, data[tops + i] as number);
    for (let k = ring; k < ring + L; k++) restoreBucket(p, i, data[k] as number, data[k + L] as number, data[k + 2 * L] as number, data[k + 3 * L] as number);
    ring += 4 * L;
  });
}

/**
 * Decodes a snapshot line, of this layout or the legacy one. Throws a RangeError when the data
 * array has neither size.
 */
export function decodeProfile(line: SnapshotLine): ProfileState {
  const p = emptyProfile();
  const bytes = Buffer.from(line.data, 'base64');
  const data = new Float64Array(new Uint8Array(bytes).buffer, 0, Math.floor(bytes.length / 8));
  if (bytes.length === PROFILE_DATA_LENGTH * 8) p.data.set(data);
  else if (bytes.length === LEGACY_DATA_LENGTH * 8) restoreLegacy(p, data);
  else throw new RangeError(`profile ${line.role}:${line.id} has ${bytes.length} data bytes, expected ${PROFILE_DATA_LENGTH * 8}`);
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
