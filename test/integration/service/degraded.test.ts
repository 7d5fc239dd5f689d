import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import type { ProfilePair, ProfileStore, ProfileUpdate } from '../../../src/store/profile-store';
import { postJson, startTestService, type TestService } from '../../support/service';

/** A store that can be made to stall (never answer) or fail, wrapping a real memory store. */
class FlakyStore implements ProfileStore {
  readonly kind = 'redis';
  mode: 'ok' | 'stall' | 'fail' = 'ok';
  constructor(private readonly inner: MemoryProfileStore) {}
  get(u: string, m: string): Promise<ProfilePair> {
    if (this.mode === 'stall') return new Promise(() => undefined);
    if (this.mode === 'fail') return Promise.reject(new Error('connection reset'));
    return this.inner.get(u, m);
  }
  apply(updates: readonly ProfileUpdate[]): Promise<void> {
    return this.mode === 'ok' ? this.inner.apply(updates) : Promise.reject(new Error('connection reset'));
  }
  ping(): Promise<void> {
    return this.mode === 'ok' ? Promise.resolve() : Promise.reject(new Error('profile store unreachable'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const txn = (id: string, over: Record<string, unknown> = {}) => ({
  transactionId: id,
  timestamp: '2018-09-01T10:00:00Z',
  userId: 'c1',
  merchantId: 'm1',
  amountMinor: 2_000,
  currency: 'EUR',
  ...over,
});

describe('degraded scoring', () => {
  let svc: TestService;
  let store: FlakyStore;
  beforeAll(async () => {
    store = new FlakyStore(await MemoryProfileStore.create());
    // A generous budget so a loaded CI box cannot add 'budget_exceeded'; the store deadline is what is tested.
    svc = await startTestService({ STORE_TIMEOUT_MS: '15', SCORE_BUDGET_MS: '250' }, store);
  });
  afterAll(async () => {
    await svc.close();
  });

  it('answers inside the budget with degraded=true when the store stalls, and counts it', async () => {
    store.mode = 'stall';
    const started = performance.now();
    const r = await postJson(`${svc.url}/v1/score`, txn('stall-1'));
    const elapsed = performance.now() - started;
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ degraded: true, degradedReasons: ['profile_store_timeout'], score: expect.any(Number) });
    expect(elapsed).toBeLessThan(250);
    const metrics = await svc.metrics.registry.getSingleMetricAsString('fraud_degraded_total');
    expect(metrics).toContain('fraud_degraded_total{reason="profile_store_timeout"} 1');
    const record = await (await fetch(`${svc.url}/v1/decisions/stall-1`)).json();
    expect(record).toMatchObject({ degraded: true, degradedReasons: ['profile_store_timeout'] });
    expect((record as { features: Record<string, unknown> }).features.user_count_30d).toBeNull(); // NaN: unavailable
    expect((record as { features: Record<string, unknown> }).features.amount).toBe(20);
  });

  it('answers degraded when the store errors; readiness stays up (the service degrades, it does not stop) and reports the store', async () => {
    store.mode = 'fail';
    const r = await postJson(`${svc.url}/v1/score`, txn('fail-1'));
    expect(r).toMatchObject({ status: 200, body: { degraded: true, degradedReasons: ['profile_store_error'] } });
    const ready = await fetch(`${svc.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      model: svc.models.champion()?.version,
      dependencies: { profileStore: 'unavailable: profile store unreachable', decisionLog: 'ok', labelStore: 'ok' },
    });
  });

  it('recovers when the store does', async () => {
    store.mode = 'ok';
    const r = await postJson(`${svc.url}/v1/score`, txn('ok-1'));
    expect(r.body).toMatchObject({ degraded: false, degradedReasons: [] });
  });
});

describe('degraded policy', () => {
  it('applies a fixed minimum decision when profiles are unavailable (DEGRADED_POLICY=challenge)', async () => {
    const store = new FlakyStore(await MemoryProfileStore.create());
    const svc = await startTestService({ STORE_TIMEOUT_MS: '10', DEGRADED_POLICY: 'challenge' }, store);
    try {
      store.mode = 'fail';
      const r = await postJson(`${svc.url}/v1/score`, txn('p-1'));
      expect(r.body).toMatchObject({ degraded: true, decision: 'challenge' });
      const big = await postJson(`${svc.url}/v1/score`, txn('p-2', { amountMinor: 90_000 }));
      expect(big.body).toMatchObject({ degraded: true, decision: 'decline' });
    } finally {
      await svc.close();
    }
  });

  it('falls back to NO_MODEL_DECISION without a model, never a 5xx', async () => {
    const svc = await startTestService({ MODEL_REGISTRY_DIR: '/nonexistent-registry', NO_MODEL_DECISION: 'approve' });
    try {
      const r = await postJson(`${svc.url}/v1/score`, txn('n-1'));
      expect(r).toEqual({ status: 200, body: { transactionId: 'n-1', decision: 'approve', score: null, modelVersion: null, degraded: true, degradedReasons: ['no_model'] } });
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(503);
    } finally {
      await svc.close();
    }
  });
});
