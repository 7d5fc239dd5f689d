import { postJson, startTestService, type TestService } from '../../support/service';

const txn = (id: string, userId: string, amountMinor = 2_500) => ({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId, merchantId: 'm-fb', amountMinor, currency: 'EUR' });
const label = (transactionId: string, value: string, source: string) => ({ transactionId, label: value, source, reportedAt: '2018-09-01T10:05:00Z' });

describe('POST /v1/feedback', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ DECISION_EVENTS: 'off' });
    for (const [id, user] of [
      ['fb-1', 'u-fb-1'],
      ['fb-2', 'u-fb-2'],
    ] as const) {
      expect((await postJson(`${svc.url}/v1/score`, txn(id, user))).status).toBe(200);
    }
  });
  afterAll(async () => {
    await svc.close();
  });

  it('records a label, answers a retry as a duplicate, and refuses a conflicting one from the same source', async () => {
    const url = `${svc.url}/v1/feedback`;
    expect(await postJson(url, label('fb-1', 'fraud', 'user_confirmation'))).toEqual({
      status: 201,
      body: { transactionId: 'fb-1', label: 'fraud', source: 'user_confirmation', status: 'recorded', resolvedLabel: 'fraud' },
    });
    expect(await postJson(url, label('fb-1', 'fraud', 'user_confirmation'))).toEqual({
      status: 200,
      body: { transactionId: 'fb-1', label: 'fraud', source: 'user_confirmation', status: 'duplicate', resolvedLabel: 'fraud' },
    });
    expect(await postJson(url, label('fb-1', 'legitimate', 'user_confirmation'))).toEqual({
      status: 409,
      body: { error: { code: 'label_conflict', message: 'user_confirmation already labeled fb-1 as fraud' } },
    });
  });

  it('resolves conflicting sources by precedence (chargeback > analyst > user) and updates the profiles by the change', async () => {
    const url = `${svc.url}/v1/feedback`;
    const decision = async () => (await (await fetch(`${svc.url}/v1/decisions/fb-2`)).json()) as { labels: unknown[] };
    const frauds = async () => {
      const user = (await svc.store.get('u-fb-2', 'm-fb')).user;
      const day = Math.floor(Date.parse('2018-09-01T10:00:00Z') / 86_400_000);
      const { TIER_INDEX, windowSum } = await import('../../../features');
      return windowSum(user, TIER_INDEX.d1, 'f', day, day);
    };
    expect((await postJson(url, label('fb-2', 'fraud', 'user_confirmation'))).body.resolvedLabel).toBe('fraud');
    expect(await frauds()).toBe(1);
    expect((await postJson(url, label('fb-2', 'legitimate', 'analyst'))).body.resolvedLabel).toBe('legitimate');
    expect(await frauds()).toBe(0);
    expect((await postJson(url, label('fb-2', 'fraud', 'chargeback'))).body.resolvedLabel).toBe('fraud');
    expect(await frauds()).toBe(1);
    expect((await decision()).labels).toHaveLength(3);
  });

  it('answers 404 for a transaction never scored, and 400 naming bad fields', async () => {
    expect(await postJson(`${svc.url}/v1/feedback`, label('never-scored', 'fraud', 'analyst'))).toEqual({
      status: 404,
      body: { error: { code: 'unknown_transaction', message: 'no decision for transactionId never-scored: labels can only be given to scored transactions' } },
    });
    const bad = await postJson(`${svc.url}/v1/feedback`, { transactionId: 'fb-1', label: 'maybe', source: 'bank', reportedAt: 'soon', extra: 1 });
    expect(bad.status).toBe(400);
    expect((bad.body.error as { details: { path: string }[] }).details.map((d) => d.path).sort()).toEqual(['/extra', '/label', '/reportedAt', '/source']);
  });
});
