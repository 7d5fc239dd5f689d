import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../config/project-root';
import { generatedSpec, generatedSpecText } from '../../model/feature-spec-hash';
import { parseOptions } from '../args';
import { printJson, type Command } from '../command';

/** Where the generated feature spec is committed. */
export function specPath(): string {
  return join(projectRoot(), 'features', 'spec.generated.json');
}

export const specCommand: Command = {
  name: 'spec',
  summary: 'print, write or check the generated feature spec (names + hash)',
  usage: 'spec [--write | --check] [--json]',
  async run(args, io) {
    const { values } = parseOptions(args, { write: { type: 'boolean' }, check: { type: 'boolean' }, json: { type: 'boolean' } });
    const text = generatedSpecText();
    const { hash, names } = generatedSpec();
    if (values.write === true) writeFileSync(specPath(), text);
    if (values.check === true) {
      let committed = '';
      try {
        committed = readFileSync(specPath(), 'utf8');
      } catch {
        committed = '';
      }
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
