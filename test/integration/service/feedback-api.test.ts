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

  it('lets a user\'s "not me" in the app raise the score of the next payment at that merchant within minutes', async () => {
    // Two merchants see the same two payments; only at the first does the owner of the first payment deny it.
    const pay = (id: string, userId: string, merchantId: string, at: string) => ({ transactionId: id, timestamp: at, userId, merchantId, amountMinor: 4_200, currency: 'EUR', channel: 'ecommerce', mcc: '5732', merchantCountry: 'FR', userCountry: 'FR' });
    const score = async (body: object) => {
      const r = await postJson(`${svc.url}/v1/score`, body);
      expect(r.status).toBe(200);
      return r.body.score as number;
    };
    await score(pay('app-1', 'u-app-1', 'm-app-denied', '2018-09-02T09:00:00Z'));
    await score(pay('ctl-1', 'u-ctl-1', 'm-app-control', '2018-09-02T09:00:00Z'));
    const denied = await postJson(`${svc.url}/v1/feedback`, { transactionId: 'app-1', label: 'fraud', source: 'user_confirmation', reportedAt: '2018-09-02T09:03:00Z' });
    expect(denied.status).toBe(201);
    const afterDenial = await score(pay('app-2', 'u-app-2', 'm-app-denied', '2018-09-02T09:10:00Z'));
    const control = await score(pay('ctl-2', 'u-ctl-2', 'm-app-control', '2018-09-02T09:10:00Z'));
    const features = async (id: string) => ((await (await fetch(`${svc.url}/v1/decisions/${id}`)).json()) as { features: Record<string, number | null> }).features;
    expect((await features('app-2')).merchant_known_frauds_7d).toBe(1);
    expect((await features('ctl-2')).merchant_known_frauds_7d).toBe(0);
    expect(afterDenial).toBeGreaterThan(control);
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
