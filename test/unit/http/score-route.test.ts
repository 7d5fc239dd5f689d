import { postJson, startTestService, type TestService } from '../../support/service';

const txn = (id: string) => ({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId: 'c1', merchantId: 'm1', amountMinor: 4250, currency: 'EUR' });

function count(metrics: string, labels: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`fraud_http_request_duration_seconds_count{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

describe('POST /v1/score timing and answers', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.close();
  });

  it('times every answer once, scored or refused, under the route it matched', async () => {
    const scrape = async () => (await fetch(`${svc.url}/metrics`)).text();
    const before = await scrape();
    expect((await postJson(`${svc.url}/v1/score`, txn('t-ok-1'))).status).toBe(200);
    expect((await postJson(`${svc.url}/v1/score`, txn('t-ok-2'))).status).toBe(200);
    expect((await postJson(`${svc.url}/v1/score`, { transactionId: 'bad' })).status).toBe(400);
    expect((await postJson(`${svc.url}/v1/score`, { ...txn('t-ok-1'), amountMinor: 1 })).status).toBe(409);
    expect((await postJson(`${svc.url}/v1/score`, '{"x":', {})).status).toBe(400);
    expect((await fetch(`${svc.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    expect((await fetch(`${svc.url}/v1/score`)).status).toBe(404);
    const after = await scrape();
    const delta = (labels: string) => count(after, labels) - count(before, labels);
    expect(delta('route="/v1/score",method="POST",status="200"')).toBe(2);
    expect(delta('route="/v1/score",method="POST",status="400"')).toBe(2);
    expect(delta('route="/v1/score",method="POST",status="409"')).toBe(1);
    expect(delta('route="/v1/score",method="POST",status="415"')).toBe(1);
    expect(delta('route="unmatched",method="GET",status="404"')).toBe(1);
  });

  it('answers a retry from the decision log after a restart (synchronous SQLite lookup)', async () => {
    const first = await startTestService();
    const env = { DATA_DIR: first.dataDir, MODEL_REGISTRY_DIR: first.registryDir };
    const scored = await postJson(`${first.url}/v1/score`, txn('restart-1'));
    await first.close();
    const second = await startTestService(env);
    try {
      const replay = await postJson(`${second.url}/v1/score`, txn('restart-1'));
      expect(replay).toEqual(scored);
      expect(await second.metrics.registry.getSingleMetricAsString('fraud_idempotent_replays_total')).toContain('outcome="replayed"} 1');
      expect((await postJson(`${second.url}/v1/score`, { ...txn('restart-1'), amountMinor: 7 })).status).toBe(409);
    } finally {
      await second.close();
    }
  });
});
