import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { emptyProfile, PROFILE_DATA_LENGTH, SET_NAMES, type EntityRole, type ProfileState, type SetName } from '../../features';

/** One line of a profile snapshot file (NDJSON). */
export interface SnapshotLine {
  readonly role: EntityRole;
  readonly id: string;
  readonly lastSeen: number | null;
  readonly total: number;
  /** The profile's `data` array, float64 little-endian, base64. */
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

/** Decodes a snapshot line. Throws a RangeError when the data array has the wrong size. */
export function decodeProfile(line: SnapshotLine): ProfileState {
  const p = emptyProfile();
  const bytes = Buffer.from(line.data, 'base64');
  if (bytes.length !== PROFILE_DATA_LENGTH * 8) throw new RangeError(`profile ${line.role}:${line.id} has ${bytes.length} data bytes, expected ${PROFILE_DATA_LENGTH * 8}`);
  p.data.set(new Float64Array(new Uint8Array(bytes).buffer));
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
