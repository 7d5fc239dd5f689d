import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, featureSpec } from '../../../features';
import { featureSpecHash, generatedSpecText } from '../../../src/model/feature-spec-hash';

describe('generated feature spec', () => {
  it('matches the committed features/spec.generated.json (run `npm run spec:generate` after changing features/)', () => {
    const committed = readFileSync(join(__dirname, '../../../features/spec.generated.json'), 'utf8');
    expect(committed).toBe(generatedSpecText());
  });

  it('hash changes with any definition change', () => {
    const spec = featureSpec();
    const changed = { ...spec, definitions: spec.definitions.map((d, i) => (i === 0 ? { ...d, version: d.version + 1 } : d)) };
    expect(featureSpecHash(changed)).not.toBe(featureSpecHash(spec));
    const reordered = { ...spec, names: [...spec.names].reverse() };
    expect(featureSpecHash(reordered)).not.toBe(featureSpecHash(spec));
  });

  it('canonical JSON sorts keys and is independent of insertion order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe('{"a":[{"x":1,"y":2}],"b":1}');
  });

  it('features/ imports nothing from src/ and no node built-ins', () => {
    const { readdirSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const dir = join(__dirname, '../../../features');
    for (const f of readdirSync(dir).filter((x: string) => x.endsWith('.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect([f, /from '(\.\.\/src|node:|fs|path|crypto)/.test(text)]).toEqual([f, false]);
    }
  });
});
