import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '../../../src/auth/api-key';
import { loadConfig } from '../../../src/config/config';
import { startService } from '../../../src/main';
import { waitFor } from '../../contract/support/wait-for';
import { dropTestSchema, postgresAvailable, postgresTestUrl, testSchemaName } from '../../contract/support/postgres-test-database';
import { TEST_SERVICE_THREADS } from '../../support/built-scripts';
import { copyRegistry, postJson, startTestService, type TestService } from '../../support/service';
import pino from 'pino';

const DEFAULT_RULES = JSON.parse(readFileSync(join(__dirname, '../../../models/rules.json'), 'utf8')) as { version: string };

let seq = 0;
const txn = (over: Record<string, unknown> = {}) => {
  seq += 1;
  return {
    transactionId: `rules-${seq}`,
    timestamp: new Date(Date.UTC(2018, 8, 1, 8) + seq * 61_000).toISOString(),
    userId: `u-${seq % 30}`,
    merchantId: `m-${seq % 20}`,
    amountMinor: 1_500,
    currency: 'EUR',
    channel: 'contactless',
    merchantCountry: 'BE',
    userCountry: 'BE',
    ...over,
  };
};

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const init: RequestInit = { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function metric(url: string, series: string): Promise<number | null> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('guard-rail rules and lists on the default rule set', () => {
  let svc: TestService;
  let url: string;
  beforeAll(async () => {
    svc = await startTestService({ DECISION_EVENT_SAMPLE_RATE: '1' });
    url = svc.url;
  });
  afterAll(async () => {
    await svc.close();
  });

  it('lists the declared lists', async () => {
    const r = await call('GET', `${url}/v1/lists`);
    expect(r.status).toBe(200);
    expect((r.body.lists as { name: string; entries: number }[]).map((l) => [l.name, l.entries])).toEqual([
      ['blocked_users', 0], ['blocked_merchants', 0], ['blocked_merchant_countries', 0], ['blocked_mccs', 0], ['allowed_users', 0], ['review_merchants', 0],
    ]);
  });

  it('a block-list entry added through the API forces the next decision; the hit is in the answer, the record, the event and the metric', async () => {
    const put = await call('PUT', `${url}/v1/lists/blocked_merchants/m-blk`, { reason: 'compromised terminal' });
    expect(put.status).toBe(201);
    expect(put.body).toEqual({ list: 'blocked_merchants', value: 'm-blk', listed: true, revision: 1, changedAt: expect.any(String), changedBy: 'anonymous', reason: 'compromised terminal' });
    expect((await call('PUT', `${url}/v1/lists/blocked_merchants/m-blk`)).status).toBe(200);

    const blocked = txn({ merchantId: 'm-blk' });
    const scored = await postJson(`${url}/v1/score`, blocked);
    expect(scored.status).toBe(200);
    expect(scored.body).toMatchObject({ decision: 'decline', rules: ['blocked-merchant'] });
    // The model's own view of it is still explained.
    expect((scored.body.reasons as unknown[]).length).toBeGreaterThan(0);
    const ordinary = await postJson(`${url}/v1/score`, txn({ merchantId: 'm-ok' }));
    expect(ordinary.body).toMatchObject({ decision: 'approve', rules: [] });

    const hash = (await call('GET', `${url}/v1/decisions/${blocked.transactionId}`)).body.rules;
    expect(hash).toEqual({ version: DEFAULT_RULES.version, hash: expect.stringMatching(/^[0-9a-f]{64}$/), hits: ['blocked-merchant'] });
    expect((await call('GET', `${url}/v1/decisions/${ordinary.body.transactionId as string}`)).body.rules).toEqual({ ...(hash as object), hits: [] });

    await waitFor('the decision event', () => svc.logs.some((l) => (l.fraud as { transaction_id?: string } | undefined)?.transaction_id === blocked.transactionId));
    const event = svc.logs.find((l) => (l.fraud as { transaction_id?: string } | undefined)?.transaction_id === blocked.transactionId) as { fraud: Record<string, unknown> };
    expect(event.fraud).toMatchObject({ rule_hits: ['blocked-merchant'], rule_set_version: DEFAULT_RULES.version });

    expect(await metric(url, 'fraud_rule_hits_total{rule="blocked-merchant"}')).toBe(1);
    expect(await metric(url, 'fraud_rule_hits_total{rule="amount-cap"}')).toBe(0);
    expect(await metric(url, `fraud_rule_set_info{version="${DEFAULT_RULES.version}",hash="${(hash as { hash: string }).hash}"}`)).toBe(1);
    await waitFor('the list gauge', async () => (await metric(url, 'fraud_list_entries{list="blocked_merchants"}')) === 1);

    const removed = await call('DELETE', `${url}/v1/lists/blocked_merchants/m-blk`, { reason: 'false alarm' });
    expect(removed).toEqual({ status: 200, body: expect.objectContaining({ listed: false, revision: 2, reason: 'false alarm' }) });
    expect((await call('DELETE', `${url}/v1/lists/blocked_merchants/m-blk`)).status).toBe(404);
    expect((await call('GET', `${url}/v1/lists/blocked_merchants/m-blk`)).body).toMatchObject({ listed: false, revision: 2 });
    expect((await postJson(`${url}/v1/score`, txn({ merchantId: 'm-blk' }))).body).toMatchObject({ decision: 'approve', rules: [] });
  });

  it('an allow list overrides the model, a floor raises it, and the amount cap compares amounts in euros', async () => {
    expect((await call('PUT', `${url}/v1/lists/allowed_users/u-vip`)).status).toBe(201);
    // The model declines a first large payment (see reasons.test.ts); the allow list approves it.
    const vip = await postJson(`${url}/v1/score`, txn({ userId: 'u-vip', amountMinor: 95_000 }));
    expect(vip.body).toMatchObject({ decision: 'approve', rules: ['allowed-user'], reasons: [] });
    const stranger = await postJson(`${url}/v1/score`, txn({ userId: 'u-stranger', amountMinor: 95_000 }));
    expect(stranger.body).toMatchObject({ decision: 'decline', rules: [] });

    expect((await call('PUT', `${url}/v1/lists/review_merchants/m-review`)).status).toBe(201);
    expect((await postJson(`${url}/v1/score`, txn({ merchantId: 'm-review' }))).body).toMatchObject({ decision: 'challenge', rules: ['merchant-under-review'] });

    // 2,000,000 JPY is above EUR 10,000 at the table's rate; 1,000,000 JPY is not.
    const yen = await postJson(`${url}/v1/score`, txn({ currency: 'JPY', amountMinor: 2_000_000 }));
    expect(yen.body.rules).toEqual(['amount-cap']);
    expect(['challenge', 'decline']).toContain(yen.body.decision);
    expect((await postJson(`${url}/v1/score`, txn({ currency: 'JPY', amountMinor: 1_000_000 }))).body.rules).toEqual([]);
  });

  it('refuses unknown lists, values no transaction could hold and malformed bodies, naming the problem', async () => {
    const unknown = await call('PUT', `${url}/v1/lists/vips/u-1`);
    expect(unknown.status).toBe(404);
    expect((unknown.body.error as { message: string }).message).toBe('no list "vips" in the rule set in force (lists: blocked_users, blocked_merchants, blocked_merchant_countries, blocked_mccs, allowed_users, review_merchants)');
    const country = await call('PUT', `${url}/v1/lists/blocked_merchant_countries/XX`);
    expect(country).toEqual({ status: 400, body: { error: { code: 'validation_failed', message: '"XX" cannot be an entry of blocked_merchant_countries', details: [{ path: '/value', message: 'must be an ISO 3166-1 alpha-2 country code' }] } } });
    const body = await call('PUT', `${url}/v1/lists/blocked_users/u-1`, { reason: 5 });
    expect(body.status).toBe(400);
    expect((body.body.error as { details: { path: string }[] }).details[0]?.path).toBe('/reason');
    expect((await call('PUT', `${url}/v1/lists/blocked_users/u-1`, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await call('GET', `${url}/v1/lists/blocked_users/u-never`)).status).toBe(404);
  });
});

describe('the rule set file', () => {
  const write = (path: string, doc: unknown) => {
    writeFileSync(`${path}.new`, typeof doc === 'string' ? doc : JSON.stringify(doc));
    renameSync(`${path}.new`, path);
  };
  const atmBlock = (version: string) => ({ version, lists: [], rules: [{ id: 'atm-block', when: 'txn.channel == "atm"', outcome: { force: 'decline' } }] });

  it('is reloaded when it changes; an invalid change is refused, counted and logged, and the last good set keeps serving', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rules-')), 'rules.json');
    write(path, atmBlock('v1'));
    const svc = await startTestService({ RULES_FILE: path, RULES_RELOAD_INTERVAL_MS: '100' });
    try {
      const first = await postJson(`${svc.url}/v1/score`, txn({ channel: 'atm' }));
      expect(first.body).toMatchObject({ decision: 'decline', rules: ['atm-block'] });

      write(path, { version: 'v2', lists: [], rules: [{ id: 'atm-block', when: 'txn.chanel == "atm"', outcome: { force: 'decline' } }] });
      await waitFor('the refusal', async () => (await metric(svc.url, 'fraud_rule_set_load_failures_total')) === 1);
      const logged = svc.logs.map((l) => JSON.stringify(l)).find((l) => l.includes('rule set refused'));
      expect(logged).toContain('rule \\"atm-block\\": No such key: chanel; keeping the previous contents');
      const still = await postJson(`${svc.url}/v1/score`, txn({ channel: 'atm' }));
      expect(still.body).toMatchObject({ decision: 'decline', rules: ['atm-block'] });
      expect((await call('GET', `${svc.url}/v1/decisions/${still.body.transactionId as string}`)).body.rules).toMatchObject({ version: 'v1' });

      write(path, { version: 'v3', lists: [{ name: 'blocked_users', key: 'userId' }], rules: [{ id: 'blocked-user', when: 'txn.userId in lists.blocked_users', outcome: { force: 'decline' } }] });
      await waitFor('the new set', () => svc.logs.some((l) => l.msg === 'rule set v3 in force'));
      const atm = await postJson(`${svc.url}/v1/score`, txn({ channel: 'atm' }));
      expect(atm.body).toMatchObject({ rules: [] });
      expect((await call('GET', `${svc.url}/v1/decisions/${atm.body.transactionId as string}`)).body.rules).toMatchObject({ version: 'v3', hits: [] });
      // The new set's list is there at once; the old set's series is gone from the info gauge.
      expect((await call('PUT', `${svc.url}/v1/lists/blocked_users/u-x`)).status).toBe(201);
      expect((await postJson(`${svc.url}/v1/score`, txn({ userId: 'u-x' }))).body).toMatchObject({ decision: 'decline', rules: ['blocked-user'] });
      const text = await fetch(`${svc.url}/metrics`).then((r) => r.text());
      expect(text).toMatch(/fraud_rule_set_info\{version="v3",hash="[0-9a-f]{64}"\} 1/);
      expect(text).not.toContain('fraud_rule_set_info{version="v1"');
    } finally {
      await svc.close();
    }
  });

  it('a service does not start on a rule file it cannot compile; RULES_FILE=none serves without rules', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rules-')), 'rules.json');
    write(path, { version: 'bad', lists: [], rules: [{ id: 'x', when: 'amount > ', outcome: { force: 'decline' } }] });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', AUTH: 'off', MODEL_REGISTRY_DIR: copyRegistry(), DATA_DIR: mkdtempSync(join(tmpdir(), 'data-')), RULES_FILE: path });
    await expect(startService(config, { logger: pino({ level: 'silent' }), threads: TEST_SERVICE_THREADS })).rejects.toThrow(new RegExp(`^${path}: rule set is invalid: rule "x": `));

    const svc = await startTestService({ RULES_FILE: 'none' });
    try {
      expect((await postJson(`${svc.url}/v1/score`, txn({ amountMinor: 5_000_000 }))).body).toMatchObject({ rules: [] });
      expect((await call('GET', `${svc.url}/v1/lists`)).body).toEqual({ lists: [] });
      expect((await call('PUT', `${svc.url}/v1/lists/blocked_users/u-1`)).status).toBe(404);
    } finally {
      await svc.close();
    }
  });

  it('list changes need the lists:write scope and record who made them', async () => {
    const keys = { analyst: generateApiKey(), ops: generateApiKey() };
    const clients = join(mkdtempSync(join(tmpdir(), 'clients-')), 'clients.json');
    writeFileSync(clients, JSON.stringify({ clients: [
      { name: 'analyst', scopes: ['decisions:read'], keys: [hashApiKey(keys.analyst)] },
      { name: 'fraud-ops', scopes: ['lists:write', 'decisions:read'], keys: [hashApiKey(keys.ops)] },
    ] }));
    const svc = await startTestService({ AUTH: 'on', AUTH_CLIENTS_FILE: clients });
    try {
      const as = (key: string) => ({ authorization: `Bearer ${key}` });
      expect((await call('PUT', `${svc.url}/v1/lists/blocked_users/u-1`)).status).toBe(401);
      const forbidden = await call('PUT', `${svc.url}/v1/lists/blocked_users/u-1`, undefined, as(keys.analyst));
      expect(forbidden.status).toBe(403);
      expect((forbidden.body.error as { message: string }).message).toBe('client "analyst" lacks the scope "lists:write"');
      expect((await call('PUT', `${svc.url}/v1/lists/blocked_users/u-1`, undefined, as(keys.ops))).body).toMatchObject({ changedBy: 'fraud-ops' });
      expect((await call('GET', `${svc.url}/v1/lists/blocked_users/u-1`, undefined, as(keys.analyst))).body).toMatchObject({ listed: true, changedBy: 'fraud-ops' });
    } finally {
      await svc.close();
    }
  });
});

const pgUrl = postgresTestUrl();
const pgUp = postgresAvailable(pgUrl);

(pgUp ? describe : describe.skip)('lists shared by replicas (PostgreSQL)', () => {
  it('a block-list entry added on one replica changes the next decision on the other within a second', async () => {
    const schema = testSchemaName();
    const env = { DECISION_LOG: 'postgres', DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema };
    const a = await startTestService(env);
    const b = await startTestService(env);
    try {
      expect((await postJson(`${b.url}/v1/score`, txn({ merchantId: 'm-shared' }))).body).toMatchObject({ decision: 'approve', rules: [] });
      const put = await call('PUT', `${a.url}/v1/lists/blocked_merchants/m-shared`, { reason: 'card testing' });
      expect(put.status).toBe(201);
      // Replicas poll the shared store every LIST_SYNC_INTERVAL_MS (250 ms by default): a second is four polls.
      await new Promise((r) => setTimeout(r, 1_000));
      const onB = await postJson(`${b.url}/v1/score`, txn({ merchantId: 'm-shared' }));
      expect(onB.body).toMatchObject({ decision: 'decline', rules: ['blocked-merchant'] });
      // The record B wrote is in the shared log, readable from A.
      expect((await call('GET', `${a.url}/v1/decisions/${onB.body.transactionId as string}`)).body.rules).toMatchObject({ hits: ['blocked-merchant'] });

      expect((await call('DELETE', `${b.url}/v1/lists/blocked_merchants/m-shared`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await postJson(`${a.url}/v1/score`, txn({ merchantId: 'm-shared' }))).body).toMatchObject({ rules: [] });
    } finally {
      await a.close();
      await b.close();
      await dropTestSchema(pgUrl, schema);
    }
  });
});
