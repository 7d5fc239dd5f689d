import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/fraudctl';
import { ModelRegistry } from '../../src/model/registry/model-registry';
import { TrustedKeys } from '../../src/model/registry/model-signature';
import { readRegistryEvents } from '../../src/model/registry/registry-history';

const DATA_DIR = mkdtempSync(join(tmpdir(), 'cli-data-'));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, DATA_DIR, MODEL_ACTOR: 'newcomer' } } as never, out, err };
}

describe('simulate -> build-dataset -> train -> evaluate, through fraudctl', () => {
  it('trains a champion under the handbook protocol and evaluate reproduces its test metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
    const run = async (args: string[]) => {
      const t = io();
      const code = await main(args, t.io);
      expect({ args: args.join(' '), code, err: t.err.join('') }).toEqual({ args: args.join(' '), code: 0, err: '' });
      return JSON.parse(t.out.join('')) as Record<string, unknown>;
    };
    await run(['simulate', '--out', join(dir, 'events.ndjson'), '--customers', '400', '--terminals', '2000', '--days', '140', '--json']);
    const ds = await run(['build-dataset', '--in', join(dir, 'events.ndjson'), '--out', join(dir, 'dataset'), '--json']);
    expect(Object.keys(ds).sort()).toEqual(['eventsPerSecond', 'features', 'rows', 'seconds', 'specHash']);
    const registry = join(dir, 'registry');
    const trained = await run(['train', '--dataset', join(dir, 'dataset'), '--registry', registry, '--prequential-folds', '2', '--promote', '--json']);
    expect(trained).toEqual({
      version: expect.stringMatching(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/),
      metrics: { auc: expect.any(Number), ap: expect.any(Number), cpAt100: expect.any(Number), recallAt1pctFpr: expect.any(Number) },
      prequential: { mean: expect.any(Object), std: expect.any(Object) },
      promoted: true,
      seconds: expect.any(Number),
    });
    const version = trained.version as string;
    const entry = new ModelRegistry(registry).get(version);
    expect(entry.metadata).toMatchObject({ status: 'champion', protocol: 'handbook', windows: { train: { from: '2018-07-25', to: '2018-07-31' }, test: { from: '2018-08-08', to: '2018-08-14' } } });
    // Signed with the development key generated into DATA_DIR, which this registry now trusts; the promotion is in the audit trail.
    expect(existsSync(join(DATA_DIR, 'model-signing.key'))).toBe(true);
    expect(TrustedKeys.load(join(registry, 'trusted-keys')).problem(entry.metadata)).toBeNull();
    expect(readRegistryEvents(registry)).toEqual([{ at: expect.any(String), action: 'promote', actor: 'newcomer', from: null, to: version, reason: 'fraudctl train --promote' }]);
    expect(existsSync(join(entry.dir, 'report.html'))).toBe(true);
    expect(readFileSync(join(entry.dir, 'report.html'), 'utf8')).toContain(version);
    const evaluated = await run(['evaluate', '--dataset', join(dir, 'dataset'), '--registry', registry, '--json']);
    const m = evaluated.metrics as Record<string, number>;
    const reported = trained.metrics as Record<string, number>;
    for (const k of ['auc', 'ap', 'cpAt100', 'recallAt1pctFpr']) expect([k, Math.round((m[k] as number) * 10_000) / 10_000]).toEqual([k, reported[k]]);
  }, 180_000);

  it('says what to install when libxgboost is missing (exit 2)', async () => {
    const t = io();
    (t.io as { env: Record<string, string> }).env.XGBOOST_LIBRARY_PATH = '/nonexistent/libxgboost.so';
    const code = await main(['train', '--dataset', '/nonexistent'], t.io);
    expect(code).toBe(2);
    expect(t.err.join('')).toMatch(/^XGBoost is not available \(cannot use \/nonexistent\/libxgboost\.so\): run "apt-get install libxgboost0" or set XGBOOST_LIBRARY_PATH=/);
    expect(t.err.join('').trim().split('\n')).toHaveLength(1);
  });
});
