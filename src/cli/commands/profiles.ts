import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { openDecisionHistory } from '../../records/open-decision-history';
import { createProfileStore } from '../../store/create-profile-store';
import type { ProfileStore, ProfileStoreAdmin, StoredProfile } from '../../store/profile-store';
import { loadSnapshotInto, snapshotText } from '../../store/profile-snapshot';
import { rebuildProfiles, type RebuildTarget } from '../../training/history/rebuild-profiles';
import { parseOptions, requireOption } from '../args';
import { CommandExit, printJson, UsageError, type CliIO } from '../command';
import { commandGroup } from '../command-group';
import { configFromEnv } from '../environment';
import { readSeedOf, requireInput } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';

const ENVIRONMENT_NOTE = 'The profile store, the decision log and the PROFILE_SNAPSHOT seed come from the service\'s environment (see README, Configuration).';

const REBUILD_OPTIONS = {
  all: { type: 'boolean', description: 'rebuild every profile of the store, not only its lost slots' },
  out: { type: 'string', value: 'FILE', description: 'write the rebuilt profiles to this snapshot file instead of the store (the memory store\'s way)', default: 'into the store' },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

const REPLAY_OPTIONS = {
  out: { type: 'string', value: 'FILE', description: 'the snapshot file to write', required: true },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

const LOAD_OPTIONS = {
  snapshot: { type: 'string', value: 'FILE', description: 'the snapshot file to load', required: true },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

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
  if (store.admin === undefined) throw new CommandExit(`the ${store.kind} profile store cannot be rebuilt, dumped or loaded by fraudctl`, 'invalid_input');
  return store.admin;
}

/**
 * `profiles rebuild`: the replay of the log into the store (its lost slots, or all), or into a
 * snapshot file, placing pending changes. `profiles replay`: the versioned history alone, read
 * only, into a snapshot file (what the store must equal once reconciliation is done).
 */
async function rebuild(io: CliIO, opts: { mode: 'rebuild' | 'replay'; all: boolean; out: string | undefined; json: boolean }): Promise<number> {
  const config = configFromEnv(io);
  const seed = await readSeedOf(config);
  const history = await openDecisionHistory(config);
  const file = opts.out === undefined ? null : snapshotFile(opts.out);
  const store = file === null ? await createProfileStore(config) : null;
  try {
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
  requireInput('profile snapshot', snapshot, '--snapshot');
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

export const profilesCommand = commandGroup({
  name: 'profiles',
  summary: 'rebuild profiles from the decision log (a store that lost its data), dump or load them',
  actions: [
    {
      name: 'rebuild',
      summary: 'replay the decision log and labels into the store\'s lost slots (or all of it), or into a snapshot file, placing pending changes',
      usage: 'profiles rebuild [options]',
      options: REBUILD_OPTIONS,
      notes: [ENVIRONMENT_NOTE],
      async run(args, io) {
        const values = parseOptions(args, REBUILD_OPTIONS).values;
        return rebuild(io, { mode: 'rebuild', all: values.all === true, out: values.out, json: values.json === true });
      },
    },
    {
      name: 'replay',
      summary: 'the versioned history alone, read only, into a snapshot file (what the store must equal once reconciliation is done)',
      usage: 'profiles replay --out FILE [options]',
      options: REPLAY_OPTIONS,
      notes: [ENVIRONMENT_NOTE],
      async run(args, io) {
        const values = parseOptions(args, REPLAY_OPTIONS).values;
        return rebuild(io, { mode: 'replay', all: false, out: requireOption('out', values.out), json: values.json === true });
      },
    },
    {
      name: 'dump',
      summary: 'every profile the store holds, as snapshot lines',
      usage: 'profiles dump --out FILE [options]',
      options: REPLAY_OPTIONS,
      notes: [ENVIRONMENT_NOTE],
      async run(args, io) {
        const values = parseOptions(args, REPLAY_OPTIONS).values;
        return dump(io, requireOption('out', values.out), values.json === true);
      },
    },
    {
      name: 'load',
      summary: 'a snapshot file into an empty networked store (what PROFILE_SNAPSHOT is for the memory store)',
      usage: 'profiles load --snapshot FILE [options]',
      options: LOAD_OPTIONS,
      notes: [ENVIRONMENT_NOTE],
      async run(args, io) {
        const values = parseOptions(args, LOAD_OPTIONS).values;
        return load(io, requireOption('snapshot', values.snapshot), values.json === true);
      },
    },
  ],
});
