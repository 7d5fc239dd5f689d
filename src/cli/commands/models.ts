import { ModelRegistry } from '../../model/registry/model-registry';
import { parseOptions } from '../args';
import { printJson, UsageError, type Command } from '../command';

/** Default registry directory: the repository's `models/`, or MODEL_REGISTRY_DIR. */
export function registryDir(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? env.MODEL_REGISTRY_DIR ?? 'models';
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list the registry, promote a model, roll back the champion',
  usage: 'models list | promote VERSION | rollback [--registry DIR] [--json]',
  async run(args, io) {
    const { values, positionals } = parseOptions(args, { registry: { type: 'string' }, json: { type: 'boolean' } }, true);
    const registry = new ModelRegistry(registryDir(values.registry, io.env));
    const json = values.json === true;
    const [action, version, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    switch (action) {
      case 'list': {
        const champion = registry.pointer()?.version ?? null;
        const models = registry.list().map(({ metadata: m }) => ({
          version: m.version,
          createdAt: m.createdAt,
          parent: m.parent ?? null,
          status: m.version === champion ? 'champion' : m.status === 'champion' ? 'retired' : m.status,
          metrics: m.metrics?.test ?? null,
        }));
        if (json) printJson(io, { champion, models });
        else {
          io.stdout.write(`${'VERSION'.padEnd(34)} ${'STATUS'.padEnd(10)} ${'AUC'.padStart(6)} ${'AP'.padStart(6)} ${'CP@100'.padStart(7)}  CREATED\n`);
          for (const m of models) {
            const f = (x: number | null | undefined) => (x === undefined || x === null ? '-' : x.toFixed(3));
            io.stdout.write(`${m.version.padEnd(34)} ${m.status.padEnd(10)} ${f(m.metrics?.auc).padStart(6)} ${f(m.metrics?.ap).padStart(6)} ${f(m.metrics?.cpAt100).padStart(7)}  ${m.createdAt}\n`);
          }
        }
        return 0;
      }
      case 'promote': {
        if (version === undefined) throw new UsageError('promote needs a VERSION');
        const pointer = registry.promote(version);
        if (json) printJson(io, { champion: pointer.version, previous: pointer.history[0] ?? null });
        else io.stderr.write(`champion is now ${pointer.version}\n`);
        return 0;
      }
      case 'rollback': {
        if (version !== undefined) throw new UsageError('rollback takes no VERSION');
        const pointer = registry.rollback();
        if (json) printJson(io, { champion: pointer.version });
        else io.stderr.write(`rolled back: champion is now ${pointer.version}\n`);
        return 0;
      }
      default:
        throw new UsageError(action === undefined ? 'missing action' : `unknown action "${action}"`);
    }
  },
};
