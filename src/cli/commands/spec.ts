import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../config/project-root';
import { generatedEvaluatorSource } from '../../../features';
import { generatedSpec, generatedSpecText } from '../../model/feature-spec-hash';
import { parseOptions } from '../args';
import { printJson, UsageError, type Command } from '../command';
import { requireInput } from '../inputs';
import type { OptionSpecs } from '../options';

/** Where the generated feature spec is committed. */
export function specPath(): string {
  return join(projectRoot(), 'features', 'spec.generated.json');
}

const OPTIONS = {
  write: { type: 'boolean', description: 'write the spec generated from features/ to features/spec.generated.json' },
  check: { type: 'boolean', description: 'exit 1 when features/spec.generated.json does not match features/ (CI\'s drift check)' },
  json: { type: 'boolean', description: 'print {specHash, features, names} on stdout instead of the spec' },
  'evaluator-source': { type: 'boolean', description: 'print, instead of the spec, the generated JavaScript that computes the features (a debugger lists it as fraud-features/evaluator.generated.js, with the same line numbers)' },
} as const satisfies OptionSpecs;

export const specCommand: Command = {
  name: 'spec',
  summary: 'print, write or check the generated feature spec (names + hash)',
  usage: 'spec [options]',
  options: OPTIONS,
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    if (values['evaluator-source'] === true) {
      if (values.write === true || values.check === true || values.json === true) throw new UsageError('--evaluator-source goes alone (not with --write, --check or --json)');
      io.stdout.write(generatedEvaluatorSource());
      return 0;
    }
    const text = generatedSpecText();
    const { hash, names } = generatedSpec();
    if (values.write === true) writeFileSync(specPath(), text);
    if (values.check === true) {
      const committed = readFileSync(requireInput('generated feature spec', specPath(), 'run `npm run spec:generate`'), 'utf8');
      if (committed !== text) {
        io.stderr.write(`feature spec drift: ${specPath()} does not match features/ (run \`npm run spec:generate\`)\n`);
        return 1;
      }
    }
    if (values.json === true) printJson(io, { specHash: hash, features: names.length, names });
    else if (values.write !== true && values.check !== true) io.stdout.write(text);
    return 0;
  },
};
