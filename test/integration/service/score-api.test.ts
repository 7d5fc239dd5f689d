import { hostname } from 'node:os';
import fc from 'fast-check';
import { postJson, startTestService, type TestService } from '../../support/service';

const txn = (over: Record<string, unknown> = {}) => ({
  transactionId: 'tx-1',
  timestamp: '2018-09-01T10:00:00Z',
  userId: 'c00001',
  merchantId: 'm00001',
  amountMinor: 4_250,
  currency: 'EUR',
  channel: 'contactless',
  mcc: '5411',
  merchantCountry: 'BE',
  userCountry: 'BE',
  ...over,
});

describe('POST /v1/score', () => {
  let svc: TestService;
  let url: string;
  beforeAll(async () => {
    svc = await startTestService();
    url = `${svc.url}/v1/score`;
  });
  afterAll(async () => {
    await svc.close();
  });

  it('answers with a decision, score and the champion version', async () => {
    const r = await postJson(url, txn());
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      transactionId: 'tx-1',
      decision: expect.stringMatching(/^(approve|challenge|decline)$/),
      score: expect.any(Number),
      modelVersion: svc.models.champion()?.version,
      degraded: false,
      degradedReasons: [],
      reasons: expect.any(Array),
      rules: [],
    });
    expect(r.body.score as number).toBeGreaterThanOrEqual(0);
    expect(r.body.score as number).toBeLessThanOrEqual(1);
  });

  it('declines what the model is sure about and approves the ordinary', async () => {
    // Scenario 1 of the simulator: amounts above 220 EUR are fraud.
    const big = await postJson(url, txn({ transactionId: 'big', amountMinor: 95_000, userId: 'c00003' }));
    const small = await postJson(url, txn({ transactionId: 'small', amountMinor: 1_500, userId: 'c00002' }));
    expect(big.body.decision).toBe('decline');
    expect(small.body.decision).toBe('approve');
  });

  it('replays the same answer for a retry and applies the transaction to profiles once', async () => {
    const body = txn({ transactionId: 'retry-1', userId: 'retry-user' });
    const first = await postJson(url, body);
    const again = await Promise.all([postJson(url, body), postJson(url, { ...body }), postJson(url, JSON.stringify(body, null, 2))]);
    for (const r of again) expect(r).toEqual(first);
    const user = (await svc.store.get('retry-user', 'm00001')).user;
    expect(user.total).toBe(1);
    const conflict = await postJson(url, { ...body, amountMinor: 4_251 });
    expect(conflict).toEqual({
      status: 409,
      body: { error: { code: 'idempotency_conflict', message: 'transactionId retry-1 was already scored with a different body' } },
    });
    expect(await svc.metrics.registry.getSingleMetricAsString('fraud_idempotent_replays_total')).toContain('outcome="conflict"} 1');
  });

  it('answers a retry from the decision log once the answer is no longer in flight', async () => {
    const body = txn({ transactionId: 'retry-written', userId: 'retry-written-user' });
    const first = await postJson(url, body);
    // Still buffered for the log: answered from the buffer.
    expect(await postJson(url, body)).toEqual(first);
    // Written to the table: answered from there.
    await svc.events.decisionLog.flush();
    expect(await postJson(url, { ...body })).toEqual(first);
    expect((await svc.store.get('retry-written-user', 'm00001')).user.total).toBe(1);
    expect(await postJson(url, { ...body, currency: 'USD' })).toMatchObject({ status: 409 });
    const replays = await svc.metrics.registry.getSingleMetricAsString('fraud_idempotent_replays_total');
    expect(replays).toMatch(/outcome="replayed"} [1-9]/);
  });

  it('scores concurrent duplicates once', async () => {
    const body = txn({ transactionId: 'concurrent-1', userId: 'concurrent-user' });
    const rs = await Promise.all(Array.from({ length: 20 }, () => postJson(url, body)));
    expect(new Set(rs.map((r) => JSON.stringify(r))).size).toBe(1);
    expect((await svc.store.get('concurrent-user', 'm00001')).user.total).toBe(1);
  });

  it.each([
    ['malformed JSON', '{"transactionId":', {}, 400, 'invalid_json', 'request body is not valid JSON'],
    ['wrong content type', JSON.stringify(txn()), { 'content-type': 'text/plain' }, 415, 'unsupported_media_type', 'Content-Type must be application/json'],
    ['a body over 16 KiB', JSON.stringify({ ...txn(), pad: 'x'.repeat(17_000) }), {}, 413, 'payload_too_large', 'request body exceeds 16kb'],
  ])('answers %s with the right 4xx', async (_n, body, headers, status, code, message) => {
    const r = await postJson(url, body, headers);
    expect(r).toEqual({ status, body: { error: { code, message } } });
  });

  it('names every offending field of a schema violation', async () => {
    const r = await postJson(url, txn({ amountMinor: -1, currency: 'XXX', extra: true }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: {
        code: 'validation_failed',
        message: 'the transaction is invalid',
        details: expect.arrayContaining([
          { path: '/extra', message: 'is not an allowed field' },
          { path: '/amountMinor', message: 'must be >= 1' },
          { path: '/currency', message: 'is not a known ISO 4217 currency code' },
        ]),
      },
    });
  });

  it('never answers a client mistake with a 5xx, and malformed input reaches no store', async () => {
    const before = svc.store.kind === 'memory' ? JSON.stringify((svc.store as unknown as { size(): unknown }).size()) : '';
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.string(), fc.record({ transactionId: fc.string(), amountMinor: fc.anything() })), async (body) => {
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect(JSON.stringify((svc.store as unknown as { size(): unknown }).size())).toBe(before);
  });

  it('returns the stored decision record for audit', async () => {
    await postJson(url, txn({ transactionId: 'audit-1' }));
    const res = await fetch(`${svc.url}/v1/decisions/audit-1`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    // servedBy: the replica that decided, here this process (the service runs in it).
    expect(body).toMatchObject({ transactionId: 'audit-1', transaction: txn({ transactionId: 'audit-1' }), featureSpecHash: expect.stringMatching(/^[0-9a-f]{64}$/), servedBy: `${hostname()}/${process.pid}` });
    expect((body.features as Record<string, unknown>).amount).toBeCloseTo(42.5, 5);
    expect((await fetch(`${svc.url}/v1/decisions/nope`)).status).toBe(404);
  });

  it('serves health, readiness and metrics', async () => {
    // Settled first: on a loaded box a commit past its deadline goes through the spill file, which readiness reports while it is replayed.
    await svc.events.decisionLog.flush();
    expect(await (await fetch(`${svc.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${svc.url}/readyz`)).json()).toEqual({ status: 'ready', model: svc.models.champion()?.version, dependencies: { profileStore: 'ok', decisionLog: 'ok', labelStore: 'ok' }, reconciliationPending: 0, decisionLogPending: 0, decisionLogWrites: 'ok' });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    for (const name of [
      'fraud_http_request_duration_seconds_bucket{le="0.001",route="/v1/score",method="POST",status="200"}',
      'fraud_scoring_stage_duration_seconds_count{stage="model"}',
      'fraud_scoring_stage_duration_seconds_count{stage="store"}',
      'fraud_decisions_total{decision="decline"}',
      `fraud_model_info{version="${svc.models.champion()?.version}",role="champion"} 1`,
    ]) {
      expect(metrics).toContain(name);
    }
    expect((await fetch(`${svc.url}/nope`)).status).toBe(404);
  });
});
