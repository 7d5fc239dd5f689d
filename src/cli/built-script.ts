import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../config/project-root';

/**
 * A built script of this package that a command starts in a child process (the service, the
 * bench baseline): `fromHere` when this code runs from `dist/` (the compiled sibling), else
 * `<root>/dist/<fromRoot>` (running from sources under ts-jest or ts-node, where a child cannot
 * run TypeScript). Throws, asking for `npm run build`, when neither exists.
 */
export function builtScript(fromHere: string, fromRoot: string): string {
  if (existsSync(fromHere)) return fromHere;
  const inDist = join(projectRoot(), 'dist', fromRoot);
  if (existsSync(inDist)) return inDist;
  throw new Error(`${inDist} is missing: run \`npm run build\` first`);
}

/** The built `fraudctl` entry point, for commands that start `fraudctl serve` as a child. */
export function fraudctlScript(): string {
  return builtScript(join(__dirname, 'fraudctl.js'), join('src', 'cli', 'fraudctl.js'));
}
