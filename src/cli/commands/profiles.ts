import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { openDecisionHistory } from '../../events/open-decision-history';
import { createProfileStore } from '../../store/create-profile-store';
import type { ProfileStore, ProfileStoreAdmin, StoredProfile } from '../../store/profile-store';
import { loadSnapshotInto, readSeed, snapshotText } from '../../store/profile-snapshot';
import { rebuildProfiles, type RebuildTarget } from '../../training/history/rebuild-profiles';
import { parseOptions } from '../args';
import { CommandExit, printJson, UsageError, type CliIO, type Command } from '../command';
import { configFromEnv } from '../environment';

const USAGE =
  'profiles rebuild [--all] [--out FILE] | replay --out FILE | dump --out FILE | load --snapshot FILE [--json]   ' +
  '(store, decision log and PROFILE_SNAPSHOT seed from the service\'s environment)';

/** A line-per-profile file writer: snapshot lines, written in order. */
function snapshotFile(path: string): { write: (p: StoredProfile) => Promise<void>; end: () => Promise<void> } {
  const out = createWriteStream(path);
  return {
    async write(p) {
      if (!out.write(snapshotText(p))) await once(out, 'drain');
    },
    async end() {
      out.end();
      await once(out, 'finish');
    },
  };
}

function adminOf(store: ProfileStore): ProfileStoreAdmin {
  if (store.admin === undefined) throw new CommandExit(`the ${store.kind} profile store cannot be rebuilt, dumped or loaded by fraudctl`, 2);
  return store.admin;
}

/**
 * `profiles rebuild`: the replay of the log into the store (its lost slots, or all), or into a
 * snapshot file, placing pending changes. `profiles replay`: the versioned history alone, read
 * only, into a snapshot file (what the store must equal once reconciliation is done).
 */
async function rebuild(io: CliIO, opts: { mode: 'rebuild' | 'replay'; all: boolean; out: string | undefined; json: boolean }): Promise<number> {
  const config = configFromEnv(io);
  const history = await openDecisionHistory(config);
  const file = opts.out === undefined ? null : snapshotFile(opts.out);
  const store = file === null ? await createProfileStore(config) : null;
  try {
    const seed = await readSeed(config.PROFILE_SNAPSHOT);
    let target: RebuildTarget;
    if (file !== null) target = { kind: 'sink', write: (p) => file.write(p) };
    else {
      const s = store as ProfileStore;
      if (s.kind === 'memory') throw new UsageError('the memory store lives in the service process: rebuild it into a snapshot with --out FILE (then PROFILE_SNAPSHOT=FILE)');
      target = { kind: 'store', admin: adminOf(s), scope: opts.all ? 'all' : 'lost' };
    }
    const started = Date.now();
    const result = await rebuildProfiles({
      history,
      seed,
      target,
      claimsSince: new Date(Date.now() - 2 * config.IDEMPOTENCY_WINDOW_S * 1000).toISOString(),
      mode: opts.mode,
      onProgress: (n) => {
        if (!opts.json && io.isTTY && n % 10_000 === 0) io.stderr.write(`\rprofiles rebuilt: ${n}`);
      },
    });
    await file?.end();
    const seconds = (Date.now() - started) / 1000;
    if (opts.json) printJson(io, { ...result, seconds });
    else {
      io.stderr.write(
        `${io.isTTY ? '\r' : ''}rebuilt ${result.profiles} profiles in ${seconds.toFixed(1)} s (${result.slotsRestored} slots restored, ${result.assigned} pending changes placed)` +
          `${result.gaps.count > 0 ? `; ${result.gaps.count} break(s) in entity histories, first ${JSON.stringify(result.gaps.first)}` : ''}\n`,
      );
    }
    return 0;
  } finally {
    await history.close();
    await store?.close();
  }
}

/** `profiles dump`: every profile the store holds, as snapshot lines (in no particular order). */
async function dump(io: CliIO, out: string, json: boolean): Promise<number> {
  const store = await createProfileStore(configFromEnv(io));
  const file = snapshotFile(out);
  let n = 0;
  try {
    for await (const p of adminOf(store).profiles()) {
      await file.write(p);
      n++;
    }
  } finally {
    await file.end();
    await store.close();
  }
  if (json) printJson(io, { profiles: n, out });
  else io.stderr.write(`dumped ${n} profiles to ${out}\n`);
  return 0;
}

/** `profiles load`: a snapshot file into an empty networked store (what PROFILE_SNAPSHOT is for the memory store). */
async function load(io: CliIO, snapshot: string, json: boolean): Promise<number> {
  const store = await createProfileStore(configFromEnv(io));
  try {
    if (store.kind === 'memory') throw new UsageError('the memory store loads PROFILE_SNAPSHOT itself at start');
    const n = await loadSnapshotInto(adminOf(store), snapshot);
    if (json) printJson(io, { profiles: n });
    else io.stderr.write(`loaded ${n} profiles from ${snapshot}; keep PROFILE_SNAPSHOT=${snapshot} set for retraining and rebuilds\n`);
    return 0;
  } finally {
    await store.close();
  }
}

export const profilesCommand: Command = {
  name: 'profiles',
  summary: 'rebuild profiles from the decision log (a store that lost its data), dump or load them',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseOptions(args, { all: { type: 'boolean' }, out: { type: 'string' }, snapshot: { type: 'string' }, json: { type: 'boolean' } }, true);
    const json = values.json === true;
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    switch (action) {
      case 'rebuild':
        return rebuild(io, { mode: 'rebuild', all: values.all === true, out: values.out, json });
      case 'replay':
        if (values.out === undefined) throw new UsageError('replay needs --out FILE');
        return rebuild(io, { mode: 'replay', all: false, out: values.out, json });
      case 'dump':
        if (values.out === undefined) throw new UsageError('dump needs --out FILE');
        return dump(io, values.out, json);
      case 'load':
        if (values.snapshot === undefined) throw new UsageError('load needs --snapshot FILE');
        return load(io, values.snapshot, json);
      default:
        throw new UsageError(action === undefined ? 'missing action' : `unknown action "${action}"`);
    }
  },
};
