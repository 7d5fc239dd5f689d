import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository (or installed package) root: the nearest directory above this module holding a
 * package.json. Works from `src/` under ts-jest and from `dist/src/` after a build.
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}
