import { RegistryError, type ModelRegistry } from '../../model/registry/model-registry';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { defaultActor, readRegistryEvents } from '../../model/registry/registry-history';
import { parseOptions, type OptionValues } from '../args';
import { CommandExit, printJson, UsageError, type CliIO, type CommandAction } from '../command';
import { commandGroup } from '../command-group';
import { REGISTRY_OPTION, registryDir } from '../common-options';
import { requireRegistry } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';
import { modelsImportAction } from './models-import';

const READ_OPTIONS = { registry: REGISTRY_OPTION, json: JSON_OPTION } as const satisfies OptionSpecs;

/** The options of an action that moves the champion (`promote`, `rollback`): who and why go to the audit trail. */
function changeOptions<A extends string>(action: A) {
  return {
    registry: REGISTRY_OPTION,
    actor: { type: 'string', value: 'NAME', description: 'who acts, for the audit trail', default: 'MODEL_ACTOR, else user@host' },
    reason: { type: 'string', value: 'TEXT', description: 'why, for the audit trail', default: `fraudctl models ${action}` },
    json: JSON_OPTION,
  } as const satisfies OptionSpecs;
}

const PROMOTE_OPTIONS = changeOptions('promote');
const ROLLBACK_OPTIONS = changeOptions('rollback');

const TRUST_NOTE =
  'Only a model signed by a key of MODEL_TRUSTED_KEYS (default <registry>/trusted-keys) is accepted, unless MODEL_SIGNATURES=off; ' +
  'a refusal prints REFUSED: <why> (with --json {"refused": "<why>"}) and exits 1.';

/** The registry the options name; a missing one ends the command (a mistyped path is not an empty registry). */
function existingRegistry(registry: string | undefined, io: CliIO): ModelRegistry {
  return openRegistry(requireRegistry(registryDir(registry, io.env)), trustSettingsFromEnv(io.env), { sign: false });
}

/** The action's options and its positional arguments, at most `max` of them. */
function parseAction<O extends OptionSpecs>(args: readonly string[], options: O, max: number): { values: OptionValues<O>; positionals: string[] } {
  const parsed = parseOptions(args, options, max > 0);
  const extra = parsed.positionals[max];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return parsed;
}

/** A registry refusal (an unsigned or tampered model, nothing to roll back to) is a clear one-line failure. */
function refusing<T>(io: CliIO, json: boolean, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    if (json) printJson(io, { refused: err.message });
    throw new CommandExit(`REFUSED: ${err.message}`, 'refused');
  }
}

const list: CommandAction = {
  name: 'list',
  summary: 'the registry\'s models: status, test metrics, signer, creation time',
  usage: 'models list [options]',
  options: READ_OPTIONS,
  async run(args, io) {
    const { values } = parseAction(args, READ_OPTIONS, 0);
    const registry = existingRegistry(values.registry, io);
    const champion = registry.pointer()?.version ?? null;
    const models = registry.list().map(({ metadata: m }) => ({
      version: m.version,
      createdAt: m.createdAt,
      parent: m.parent ?? null,
      status: m.version === champion ? 'champion' : m.status === 'champion' ? 'retired' : m.status,
      signedBy: (m as { signature?: { keyId: string } }).signature?.keyId ?? null,
      metrics: m.metrics?.test ?? null,
    }));
    if (values.json === true) printJson(io, { champion, models });
    else {
      io.stdout.write(`${'VERSION'.padEnd(34)} ${'STATUS'.padEnd(10)} ${'AUC'.padStart(6)} ${'AP'.padStart(6)} ${'CP@100'.padStart(7)}  ${'SIGNED BY'.padEnd(16)}  CREATED\n`);
      for (const m of models) {
        const f = (x: number | null | undefined) => (x === undefined || x === null ? '-' : x.toFixed(3));
        io.stdout.write(`${m.version.padEnd(34)} ${m.status.padEnd(10)} ${f(m.metrics?.auc).padStart(6)} ${f(m.metrics?.ap).padStart(6)} ${f(m.metrics?.cpAt100).padStart(7)}  ${(m.signedBy ?? 'unsigned').padEnd(16)}  ${m.createdAt}\n`);
      }
    }
    return 0;
  },
};

const promote: CommandAction = {
  name: 'promote',
  summary: 'make VERSION the champion (signature checked); the service picks it up without a restart',
  usage: 'models promote VERSION [options]',
  options: PROMOTE_OPTIONS,
  notes: [TRUST_NOTE],
  async run(args, io) {
    const { values, positionals } = parseAction(args, PROMOTE_OPTIONS, 1);
    const [version] = positionals;
    if (version === undefined) throw new UsageError('promote needs a VERSION');
    const json = values.json === true;
    const registry = existingRegistry(values.registry, io);
    const pointer = refusing(io, json, () => registry.promote(version, new Date(), { actor: values.actor ?? defaultActor(io.env), reason: values.reason || PROMOTE_OPTIONS.reason.default }));
    if (json) printJson(io, { champion: pointer.version, previous: pointer.history[0] ?? null });
    else io.stderr.write(`champion is now ${pointer.version}\n`);
    return 0;
  },
};

const rollback: CommandAction = {
  name: 'rollback',
  summary: 'make the previous champion the champion again (signature checked)',
  usage: 'models rollback [options]',
  options: ROLLBACK_OPTIONS,
  notes: [TRUST_NOTE],
  async run(args, io) {
    const { values } = parseAction(args, ROLLBACK_OPTIONS, 0);
    const json = values.json === true;
    const registry = existingRegistry(values.registry, io);
    const pointer = refusing(io, json, () => registry.rollback(new Date(), { actor: values.actor ?? defaultActor(io.env), reason: values.reason || ROLLBACK_OPTIONS.reason.default }));
    if (json) printJson(io, { champion: pointer.version });
    else io.stderr.write(`rolled back: champion is now ${pointer.version}\n`);
    return 0;
  },
};

const history: CommandAction = {
  name: 'history',
  summary: 'the audit trail (history.ndjson): every promotion, rollback and retraining gate decision, who and why',
  usage: 'models history [options]',
  options: READ_OPTIONS,
  async run(args, io) {
    const { values } = parseAction(args, READ_OPTIONS, 0);
    const registry = existingRegistry(values.registry, io);
    const events = readRegistryEvents(registry.root);
    if (values.json === true) printJson(io, { events });
    else {
      for (const e of events) {
        const gate = e.gate === undefined ? '' : ` ${JSON.stringify(e.gate)}`;
        io.stdout.write(`${e.at}  ${e.action.padEnd(8)} ${(e.from ?? '-').padEnd(26)} -> ${(e.to ?? '-').padEnd(26)} by ${e.actor}: ${e.reason}${gate}\n`);
      }
    }
    return 0;
  },
};

export const modelsCommand = commandGroup({
  name: 'models',
  summary: 'list the registry, promote a model, roll back the champion (signatures checked), show the audit trail, import a foreign ONNX classifier',
  actions: [list, promote, rollback, history, modelsImportAction],
});
