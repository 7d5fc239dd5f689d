import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The module graph of src/ and features/, type-only imports included: what docs/architecture.md
// promises about layers holds, and no module reaches itself through its imports.

const ROOT = resolve(__dirname, '../../..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The project file a relative specifier names (`./x` → x.ts or x/index.ts), or null for a package. */
function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  throw new Error(`${relative(ROOT, from)}: cannot resolve ${spec}`);
}

const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'features'))];
const graph = new Map<string, string[]>(
  files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => resolveImport(file, (m[1] ?? m[2]) as string)).filter((t): t is string => t !== null);
    return [file, [...new Set(targets)]];
  }),
);
const rel = (f: string) => relative(ROOT, f);

describe('the import graph', () => {
  it('has no cycle, type-only imports included', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(rel).join(' > '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps the lower layers from importing the scoring service, the HTTP layer, the CLI or main', () => {
    const lower = ['features', 'src/records', 'src/store', 'src/model', 'src/rules', 'src/telemetry', 'src/hashing', 'src/time', 'src/validation', 'src/sim', 'src/threads'];
    const upper = ['src/scoring', 'src/http', 'src/cli', 'src/main.ts'];
    const violations = files
      .filter((f) => lower.some((l) => rel(f).startsWith(`${l}/`)))
      .flatMap((f) => (graph.get(f) ?? []).filter((t) => upper.some((u) => rel(t) === u || rel(t).startsWith(`${u}/`))).map((t) => `${rel(f)} -> ${rel(t)}`));
    expect(violations).toEqual([]);
  });

  it('would see a cycle and an upward import (self-check of the scanner)', () => {
    expect(graph.get(join(ROOT, 'src/records/create-event-stores.ts'))).toContain(join(ROOT, 'src/records/postgres/postgres-event-stores.ts'));
    expect(graph.get(join(ROOT, 'src/scoring/scoring-service.ts'))).toContain(join(ROOT, 'src/records/decide.ts'));
    expect([...IMPORT[Symbol.matchAll]("import type { A } from './a';\nexport { B } from '../b';\nconst c = await import('./c');")].map((m) => m[1] ?? m[2])).toEqual(['./a', '../b', './c']);
  });
});
