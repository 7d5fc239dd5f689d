import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../../src/cli/fraudctl';
import type { ModelMetadata } from '../../../../src/model/registry/model-metadata';
import { NEVER } from '../../../../src/model/registry/model-metadata';
import { metadataProblem, ModelRegistry, sha256Hex } from '../../../../src/model/registry/model-registry';

function meta(version: string, createdAt: string, onnx: Uint8Array): ModelMetadata {
  return {
    version,
    createdAt,
    parent: null,
    featureSpecHash: 'a'.repeat(64),
    featureNames: ['x'],
    onnx: { file: 'model.onnx', input: 'features', output: 'probability' },
    sha256: sha256Hex(onnx),
    thresholds: { challenge: 0.3, decline: 0.9 },
    status: 'candidate',
    metrics: { test: { auc: 0.9, ap: 0.7, cpAt100: 0.3, recallAt1pctFpr: 0.6 } },
  };
}

function io(env: Record<string, string> = { MODEL_SIGNATURES: 'off', MODEL_ACTOR: 'tester' }) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env } as never,
    out,
    err,
  };
}

describe('ModelRegistry', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('adds, lists, promotes and rolls back, keeping status in step with the pointer', () => {
    const reg = new ModelRegistry(mkdtempSync(join(tmpdir(), 'reg-')));
    reg.add(meta('v1', '2026-01-01T00:00:00Z', bytes('one')), { 'model.onnx': bytes('one'), 'report.html': '<html></html>' });
    reg.add(meta('v2', '2026-01-02T00:00:00Z', bytes('two')), { 'model.onnx': bytes('two') });
    expect(reg.list().map((e) => e.metadata.version)).toEqual(['v1', 'v2']);
    expect(reg.pointer()).toBeNull();
    reg.promote('v1');
    reg.promote('v2');
    expect(reg.pointer()).toMatchObject({ version: 'v2', history: ['v1'] });
    expect(reg.get('v1').metadata.status).toBe('retired');
    expect(reg.get('v2').metadata.status).toBe('champion');
    reg.rollback();
    expect(reg.pointer()).toMatchObject({ version: 'v1', history: [] });
    expect(reg.get('v1').metadata.status).toBe('champion');
    expect(() => reg.rollback()).toThrow('nothing to roll back to: the champion has no predecessor');
    // No temporary files or directories are left behind.
    expect(readdirSync(reg.root).sort()).toEqual(['champion.json', 'history.ndjson', 'v1', 'v2']);
  });

  it('accepts NEVER as a threshold (an outcome the trainer disabled) but nothing else above 1', () => {
    const bytesOf = new TextEncoder().encode('one');
    const never = { ...meta('v1', '2026-01-01T00:00:00Z', bytesOf), thresholds: { challenge: NEVER, decline: NEVER } };
    expect(metadataProblem(never)).toBeNull();
    const reg = new ModelRegistry(mkdtempSync(join(tmpdir(), 'reg-')));
    reg.add(never, { 'model.onnx': bytesOf });
    expect(reg.get('v1').metadata.thresholds).toEqual({ challenge: NEVER, decline: NEVER });
    expect(metadataProblem({ ...never, thresholds: { challenge: 0.3, decline: 1.5 } })).toMatch(/thresholds\/decline/);
  });

  it('refuses an entry whose checksum does not match its ONNX file, and duplicates', () => {
    const reg = new ModelRegistry(mkdtempSync(join(tmpdir(), 'reg-')));
    expect(() => reg.add(meta('v1', '2026-01-01T00:00:00Z', bytes('one')), { 'model.onnx': bytes('tampered') })).toThrow('entry v1: sha256 does not match model.onnx');
    reg.add(meta('v1', '2026-01-01T00:00:00Z', bytes('one')), { 'model.onnx': bytes('one') });
    expect(() => reg.add(meta('v1', '2026-01-01T00:00:00Z', bytes('one')), { 'model.onnx': bytes('one') })).toThrow('model v1 already exists');
  });

  it('refuses an entry naming an explainer it does not carry, or one whose checksum differs', () => {
    const reg = new ModelRegistry(mkdtempSync(join(tmpdir(), 'reg-')));
    const withExplainer = { ...meta('v2', '2026-01-02T00:00:00Z', bytes('two')), explainer: { file: 'explainer.json', sha256: sha256Hex('{"trees":1}') } };
    expect(() => reg.add(withExplainer, { 'model.onnx': bytes('two') })).toThrow('entry v2 has no explainer.json');
    expect(() => reg.add(withExplainer, { 'model.onnx': bytes('two'), 'explainer.json': '{"trees":2}' })).toThrow('entry v2: sha256 does not match explainer.json');
    expect(reg.add(withExplainer, { 'model.onnx': bytes('two'), 'explainer.json': '{"trees":1}' }).metadata.explainer).toEqual(withExplainer.explainer);
  });

  it('reports an invalid model.json by field', () => {
    const reg = new ModelRegistry(mkdtempSync(join(tmpdir(), 'reg-')));
    const e = reg.add(meta('v1', '2026-01-01T00:00:00Z', bytes('one')), { 'model.onnx': bytes('one') });
    const broken = { ...JSON.parse(readFileSync(join(e.dir, 'model.json'), 'utf8')), featureSpecHash: 'nope' };
    writeFileSync(join(e.dir, 'model.json'), JSON.stringify(broken));
    expect(() => reg.get('v1')).toThrow('/featureSpecHash must match pattern');
    expect(reg.list()).toEqual([]);
    expect(() => reg.get('../etc')).toThrow('no model ../etc');
  });

  it('is driven by `fraudctl models` with --json', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reg-'));
    const reg = new ModelRegistry(root);
    reg.add(meta('v1', '2026-01-01T00:00:00Z', bytes('one')), { 'model.onnx': bytes('one') });
    reg.add(meta('v2', '2026-01-02T00:00:00Z', bytes('two')), { 'model.onnx': bytes('two') });
    let t = io();
    expect(await main(['models', 'promote', 'v2', '--registry', root, '--json'], t.io)).toBe(0);
    expect(JSON.parse(t.out.join(''))).toEqual({ champion: 'v2', previous: null });
    t = io();
    expect(await main(['models', 'list', '--registry', root, '--json'], t.io)).toBe(0);
    const listed = JSON.parse(t.out.join(''));
    expect(listed.champion).toBe('v2');
    expect(listed.models.map((m: { version: string; status: string }) => [m.version, m.status])).toEqual([
      ['v1', 'candidate'],
      ['v2', 'champion'],
    ]);
    t = io();
    expect(await main(['models', 'rollback', '--registry', root], t.io)).toBe(1);
    expect(t.err.join('')).toContain('nothing to roll back to');
    t = io();
    expect(await main(['models', 'frobnicate', '--registry', root], t.io)).toBe(2);
    expect(t.err.join('')).toContain('unknown action "frobnicate"');
  });
});
