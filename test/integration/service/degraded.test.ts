import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import type { EntityOp, EntityOutcome, ProfilePair, ProfileStore } from '../../../src/store/profile-store';
import { postJson, startTestService, type TestService } from '../../support/service';
import { waitFor } from '../../contract/support/wait-for';

/**
 * A networked-looking store (no synchronous step) that can be made to stall (never answer), fail,
 * or report its data lost, wrapping a real memory store.
 */
class FlakyStore implements ProfileStore {
  readonly kind = 'redis';
  mode: 'ok' | 'stall' | 'fail' | 'lost' = 'ok';
  constructor(readonly inner: MemoryProfileStore) {}
  step(ops: readonly EntityOp[]): Promise<EntityOutcome>[] {
    switch (this.mode) {
      case 'stall':
        return ops.map(() => new Promise<EntityOutcome>(() => undefined));
      case 'fail':
        return ops.map(() => Promise.reject(new Error('connection reset')));
      case 'lost':
        return ops.map(() => Promise.resolve({ kind: 'lost' } as const));
      case 'ok':
        return this.inner.step(ops);
    }
  }
  get(u: string, m: string): Promise<ProfilePair> {
    return this.inner.get(u, m);
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
    // The log's side is settled first: on a loaded box a commit past its deadline goes through the
    // spill file, which readiness would report as being replayed; this test is about the store.
    await svc.events.decisionLog.flush();
    const ready = await fetch(`${svc.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      model: svc.models.champion()?.version,
      dependencies: { profileStore: 'unavailable: profile store unreachable', decisionLog: 'ok', labelStore: 'ok' },
      reconciliationPending: 4,
      decisionLogPending: 0,
      decisionLogWrites: 'ok',
    });
  });

  it('answers degraded when the store has lost the data a profile lived in', async () => {
    store.mode = 'lost';
    const r = await postJson(`${svc.url}/v1/score`, txn('lost-1'));
    expect(r).toMatchObject({ status: 200, body: { degraded: true, degradedReasons: ['profile_store_lost'] } });
  });

  it('recovers when the store does, and merges every change it missed exactly once (reconciliation)', async () => {
    store.mode = 'ok';
    const r = await postJson(`${svc.url}/v1/score`, txn('ok-1'));
    expect(r.body).toMatchObject({ degraded: false, degradedReasons: [] });
    await svc.reconciler.drain();
    await waitFor('the reconciler to merge the missed changes', () => svc.reconciler.pending() === 0, 10_000);
    await svc.events.decisionLog.flush();
    // stall-1, fail-1, lost-1 and ok-1, each merged once into each profile, in some order.
    const versions = await Promise.all(['stall-1', 'fail-1', 'lost-1', 'ok-1'].map(async (id) => (await svc.events.decisionLog.get(id))?.userVersion));
    expect([...versions].sort()).toEqual([1, 2, 3, 4]);
    const profiles = await store.inner.get('c1', 'm1');
    expect([profiles.userVersion, profiles.merchantVersion, profiles.user.total, profiles.merchant.total]).toEqual([4, 4, 4, 4]);
    const reconciled = await svc.metrics.registry.getSingleMetricAsString('fraud_profile_reconciled_total');
    expect(reconciled).toContain('fraud_profile_reconciled_total{kind="decision",outcome="applied"} 6');
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
      // A degraded answer names no reasons while it waits (its degradedReasons say why); read
      // later, its decision is explained from the logged vector.
      expect([r.body.reasons, big.body.reasons]).toEqual([[], []]);
      const read = (await (await fetch(`${svc.url}/v1/decisions/p-2`)).json()) as { explanation: { source: string; reasons: { code: string }[] } };
      expect(read.explanation.source).toBe('computed');
      expect(read.explanation.reasons.map((x) => x.code)).toContain('AMOUNT_LARGE');
      // The same payment with its profiles read is explained while it waits.
      store.mode = 'ok';
      const informed = await postJson(`${svc.url}/v1/score`, txn('p-3', { amountMinor: 90_000 }));
      expect(informed.body).toMatchObject({ degraded: false, decision: 'decline' });
      expect((informed.body.reasons as { code: string }[]).map((x) => x.code)).toContain('AMOUNT_LARGE');
    } finally {
      await svc.close();
    }
  });

  it('falls back to NO_MODEL_DECISION without a model, never a 5xx', async () => {
    const svc = await startTestService({ MODEL_REGISTRY_DIR: '/nonexistent-registry', NO_MODEL_DECISION: 'approve' });
    try {
      const r = await postJson(`${svc.url}/v1/score`, txn('n-1'));
      expect(r).toEqual({ status: 200, body: { transactionId: 'n-1', decision: 'approve', score: null, modelVersion: null, degraded: true, degradedReasons: ['no_model'], reasons: [], rules: [] } });
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(503);
    } finally {
      await svc.close();
    }
  });
});
