import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// A clone alone is enough to understand the system: every link of the README and docs/ names a
// file of the repository that exists, and none leaves it (no web address, no path above the root).

const ROOT = resolve(__dirname, '../../..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
/** Markdown links and images: `[text](target)`, the target up to a space or `)`, without its `#anchor`. */
const LINK = /!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

function links(doc: string): string[] {
  return [...readFileSync(join(ROOT, doc), 'utf8').matchAll(LINK)].map((m) => m[1] as string);
}

describe('the documentation', () => {
  it('has links to be checked (self-check of the scanner)', () => {
    expect(links('README.md')).toContain('docs/architecture.md');
    expect([...'see [a](b.md#x) and ![c](d.png "t")'.matchAll(LINK)].map((m) => m[1])).toEqual(['b.md#x', 'd.png']);
  });

  it.each(DOCS)('%s links only to files of the repository that exist', (doc) => {
    const outside = links(doc).flatMap((target) => {
      if (target.startsWith('#')) return [];
      const path = target.split('#')[0] as string;
      if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return [`${target}: leaves the repository`];
      const file = resolve(dirname(join(ROOT, doc)), decodeURI(path));
      if (relative(ROOT, file).startsWith('..')) return [`${target}: leaves the repository`];
      return existsSync(file) ? [] : [`${target}: no such file`];
    });
    expect(outside).toEqual([]);
  });
});
