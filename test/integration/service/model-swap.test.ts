import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelRegistry } from '../../../src/model/registry/model-registry';
import { postJson, startTestService, type TestService } from '../../support/service';

/** Copies a model (the serving champion by default) into a new entry named `version`, optionally breaking it. */
function cloneModel(registryDir: string, version: string, mutate: (dir: string, meta: Record<string, unknown>) => void = () => undefined, from?: string): void {
  const reg = new ModelRegistry(registryDir);
  const source = from === undefined ? reg.champion() : reg.get(from);
  if (source === null) throw new Error('no champion');
  const dir = join(registryDir, version);
  cpSync(source.dir, dir, { recursive: true });
  const meta = { ...JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')), version, status: 'candidate', createdAt: new Date().toISOString() };
  mutate(dir, meta);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(meta));
}

const txn = (i: number) => ({ transactionId: `swap-${i}`, timestamp: '2018-09-01T10:00:00Z', userId: `c${i % 50}`, merchantId: `m${i % 7}`, amountMinor: 1_000 + i, currency: 'EUR' });

async function waitFor(predicate: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('model swaps', () => {
  let svc: TestService;
  let original: string;
  beforeAll(async () => {
    // These clones are unsigned: the swap mechanics are tested here, signatures in model-signing.test.ts.
    svc = await startTestService({ MODEL_POLL_INTERVAL_MS: '100', MODEL_SIGNATURES: 'off' });
    original = svc.models.champion()?.version as string;
  });
  afterAll(async () => {
    await svc.close();
  });

  it('swaps the champion under load without a failed request', async () => {
    cloneModel(svc.registryDir, 'v-second');
    let i = 0;
    const statuses: number[] = [];
    const versions = new Set<unknown>();
    const worker = async () => {
      while (i < 600) {
        const r = await postJson(`${svc.url}/v1/score`, txn(i++));
        statuses.push(r.status);
        versions.add(r.body.modelVersion);
        if (i === 150) new ModelRegistry(svc.registryDir).promote('v-second');
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(versions).toEqual(new Set([original, 'v-second']));
    expect(svc.models.champion()?.version).toBe('v-second');
  });

  it('refuses a corrupt model and keeps serving the last good one', async () => {
    const serving = svc.models.champion()?.version;
    cloneModel(svc.registryDir, 'v-corrupt', (dir) => {
      const bytes = readFileSync(join(dir, 'model.onnx'));
      bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
      writeFileSync(join(dir, 'model.onnx'), bytes);
    });
    new ModelRegistry(svc.registryDir).promote('v-corrupt');
    await waitFor(() => svc.logs.some((l) => String(l.msg).startsWith('refusing champion model v-corrupt')));
    const line = svc.logs.find((l) => String(l.msg).startsWith('refusing champion model v-corrupt'));
    expect(line?.msg).toMatch(new RegExp(`^refusing champion model v-corrupt: model v-corrupt: sha256 of model.onnx is [0-9a-f]{64}, model.json says [0-9a-f]{64}; still serving ${serving}$`));
    const r = await postJson(`${svc.url}/v1/score`, txn(10_000));
    expect(r).toMatchObject({ status: 200, body: { modelVersion: serving, degraded: false } });
    expect(await svc.metrics.registry.getSingleMetricAsString('fraud_model_load_failures_total')).toContain('role="champion"} 1');
  });

  it('refuses a model trained on another feature spec', async () => {
    cloneModel(
      svc.registryDir,
      'v-other-spec',
      (_dir, meta) => {
        meta.featureSpecHash = 'f'.repeat(64);
      },
      'v-second',
    );
    new ModelRegistry(svc.registryDir).promote('v-other-spec');
    await waitFor(() => svc.logs.some((l) => String(l.msg).startsWith('refusing champion model v-other-spec')));
    expect(svc.logs.find((l) => String(l.msg).startsWith('refusing champion model v-other-spec'))?.msg).toContain(`feature spec hash ${'f'.repeat(64)} differs from the running features/`);
    expect((await postJson(`${svc.url}/v1/score`, txn(10_001))).body.degraded).toBe(false);
  });
});

describe('shadow challenger', () => {
  it('scores the challenger in shadow: logged with the decision, never returned', async () => {
    const { copyRegistry } = await import('../../support/service');
    const registryDir = copyRegistry();
    cloneModel(registryDir, 'v-shadow');
    const svc = await startTestService({ MODEL_REGISTRY_DIR: registryDir, CHALLENGER_VERSION: 'v-shadow', DECISION_EVENTS: 'off', MODEL_SIGNATURES: 'off' });
    try {
      const r = await postJson(`${svc.url}/v1/score`, txn(20_000));
      expect(Object.keys(r.body).sort()).toEqual(['decision', 'degraded', 'degradedReasons', 'modelVersion', 'reasons', 'rules', 'score', 'transactionId']);
      expect(r.body.modelVersion).not.toBe('v-shadow');
      await svc.events.decisionLog.flush();
      const record = (await (await fetch(`${svc.url}/v1/decisions/${txn(20_000).transactionId}`)).json()) as { challenger: { version: string; score: number } };
      // The clone has the same trees, so its shadow score equals the champion's.
      expect(record.challenger).toEqual({ version: 'v-shadow', score: r.body.score });
      expect(await svc.metrics.registry.getSingleMetricAsString('fraud_model_info')).toContain('fraud_model_info{version="v-shadow",role="challenger"} 1');

      // The record reaches the log only after the shadow score: retries sent while it runs, and
      // right after the answer, still get the one answer and update profiles once.
      const body = txn(20_001);
      const before = (await svc.store.get(body.userId, body.merchantId)).user.total;
      const first = postJson(`${svc.url}/v1/score`, body);
      const retries = Array.from({ length: 10 }, () => postJson(`${svc.url}/v1/score`, body));
      const answers = await Promise.all([first, ...retries]);
      const late = await Promise.all(Array.from({ length: 5 }, () => postJson(`${svc.url}/v1/score`, body)));
      expect(new Set([...answers, ...late].map((a) => JSON.stringify(a))).size).toBe(1);
      expect((await svc.store.get(body.userId, body.merchantId)).user.total).toBe(before + 1);
    } finally {
      await svc.close();
    }
  });
});
