import { existsSync } from 'node:fs';
import { RegistryError } from '../../model/registry/model-registry';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { defaultActor, readRegistryEvents } from '../../model/registry/registry-history';
import { parseOptions } from '../args';
import { MODELS_IMPORT_USAGE, runModelsImport } from './models-import';
import { CommandExit, printJson, UsageError, type Command } from '../command';

/** Default registry directory: the repository's `models/`, or MODEL_REGISTRY_DIR. */
export function registryDir(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? env.MODEL_REGISTRY_DIR ?? 'models';
}

const OPTIONS = { registry: { type: 'string' }, actor: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' } } as const;

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list the registry, promote a model, roll back the champion (signatures checked), show the audit trail, import a foreign ONNX classifier',
  usage:
    'models list | promote VERSION | rollback | history [--registry DIR] [--actor NAME] [--reason TEXT] [--json]   ' +
    `| ${MODELS_IMPORT_USAGE}   ` +
    '(promote and rollback accept only models signed by a key of MODEL_TRUSTED_KEYS, default <registry>/trusted-keys, unless MODEL_SIGNATURES=off; ' +
    'the actor defaults to MODEL_ACTOR, else user@host)',
  async run(args, io) {
    if (args[0] === 'import') return runModelsImport(args.slice(1), io);
    const { values, positionals } = parseOptions(args, OPTIONS, true);
    const root = registryDir(values.registry, io.env);
    // A mistyped path is not an empty registry.
    if (!existsSync(root)) throw new CommandExit(`no model registry at ${root} (--registry or MODEL_REGISTRY_DIR)`, 2);
    const registry = openRegistry(root, trustSettingsFromEnv(io.env), { sign: false });
    const json = values.json === true;
    const audit = { actor: values.actor ?? defaultActor(io.env), reason: values.reason ?? '' };
    const [action, version, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    /** A registry refusal (an unsigned or tampered model, nothing to roll back to) is a clear one-line failure. */
    const refusing = <T>(f: () => T): T => {
      try {
        return f();
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        if (json) printJson(io, { refused: err.message });
        throw new CommandExit(`REFUSED: ${err.message}`, 1);
      }
    };
    switch (action) {
      case 'list': {
        const champion = registry.pointer()?.version ?? null;
        const models = registry.list().map(({ metadata: m }) => ({
          version: m.version,
          createdAt: m.createdAt,
          parent: m.parent ?? null,
          status: m.version === champion ? 'champion' : m.status === 'champion' ? 'retired' : m.status,
          signedBy: (m as { signature?: { keyId: string } }).signature?.keyId ?? null,
          metrics: m.metrics?.test ?? null,
        }));
        if (json) printJson(io, { champion, models });
        else {
          io.stdout.write(`${'VERSION'.padEnd(34)} ${'STATUS'.padEnd(10)} ${'AUC'.padStart(6)} ${'AP'.padStart(6)} ${'CP@100'.padStart(7)}  ${'SIGNED BY'.padEnd(16)}  CREATED\n`);
          for (const m of models) {
            const f = (x: number | null | undefined) => (x === undefined || x === null ? '-' : x.toFixed(3));
            io.stdout.write(`${m.version.padEnd(34)} ${m.status.padEnd(10)} ${f(m.metrics?.auc).padStart(6)} ${f(m.metrics?.ap).padStart(6)} ${f(m.metrics?.cpAt100).padStart(7)}  ${(m.signedBy ?? 'unsigned').padEnd(16)}  ${m.createdAt}\n`);
          }
        }
        return 0;
      }
      case 'promote': {
        if (version === undefined) throw new UsageError('promote needs a VERSION');
        const pointer = refusing(() => registry.promote(version, new Date(), { ...audit, reason: audit.reason || 'fraudctl models promote' }));
        if (json) printJson(io, { champion: pointer.version, previous: pointer.history[0] ?? null });
        else io.stderr.write(`champion is now ${pointer.version}\n`);
        return 0;
      }
      case 'rollback': {
        if (version !== undefined) throw new UsageError('rollback takes no VERSION');
        const pointer = refusing(() => registry.rollback(new Date(), { ...audit, reason: audit.reason || 'fraudctl models rollback' }));
        if (json) printJson(io, { champion: pointer.version });
        else io.stderr.write(`rolled back: champion is now ${pointer.version}\n`);
        return 0;
      }
      case 'history': {
        if (version !== undefined) throw new UsageError('history takes no VERSION');
        const events = readRegistryEvents(registry.root);
        if (json) printJson(io, { events });
        else {
          for (const e of events) {
            const gate = e.gate === undefined ? '' : ` ${JSON.stringify(e.gate)}`;
            io.stdout.write(`${e.at}  ${e.action.padEnd(8)} ${(e.from ?? '-').padEnd(26)} -> ${(e.to ?? '-').padEnd(26)} by ${e.actor}: ${e.reason}${gate}\n`);
          }
        }
        return 0;
      }
      default:
        throw new UsageError(action === undefined ? 'missing action' : `unknown action "${action}"`);
    }
  },
};
