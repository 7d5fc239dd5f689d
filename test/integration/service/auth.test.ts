import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { generateApiKey, hashApiKey } from '../../../src/auth/api-key';
import type { ClientEntry } from '../../../src/auth/clients-file';
import { waitFor } from '../../contract/support/wait-for';
import { postgresAvailable, postgresTestUrl, testSchemaName, dropTestSchema } from '../../contract/support/postgres-test-database';
import { postJson, startTestService, type TestService } from '../../support/service';

const txn = (id: string) => ({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId: `u-${id}`, merchantId: 'm-auth', amountMinor: 2_500, currency: 'EUR' });
const label = (transactionId: string, source: string) => ({ transactionId, label: 'fraud', source, reportedAt: '2018-09-01T10:05:00Z' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

/** A clients file in a temp directory, and a key per client. */
function clientsFile(entries: readonly (Omit<ClientEntry, 'keys'> & { key: string })[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'clients-')), 'clients.json');
  writeClients(path, entries);
  return path;
}

/** Replaces the file as Kubernetes updates a mounted Secret: a new file renamed over the old. */
function writeClients(path: string, entries: readonly (Omit<ClientEntry, 'keys'> & { key: string })[]): void {
  writeFileSync(`${path}.new`, JSON.stringify({ clients: entries.map(({ key, ...e }) => ({ ...e, keys: [hashApiKey(key)] })) }));
  renameSync(`${path}.new`, path);
}

describe('authentication: secure by default', () => {
  let svc: TestService;
  afterEach(async () => {
    await svc?.close();
  });

  it('with no configuration, every API route but health needs credentials; the development key in DATA_DIR opens them and is never logged', async () => {
    svc = await startTestService({ AUTH: 'on', DECISION_EVENTS: 'off' });
    for (const [method, path, body] of [
      ['POST', '/v1/score', txn('open-1')],
      ['POST', '/v1/feedback', label('open-1', 'analyst')],
      ['GET', '/v1/decisions/open-1', undefined],
    ] as const) {
      const res = await fetch(`${svc.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      expect([path, res.status, res.headers.get('www-authenticate'), ((await res.json()) as { error: { code: string } }).error.code]).toEqual([path, 401, 'Bearer realm="fraud-scoring"', 'unauthenticated']);
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) expect([path, (await get(`${svc.url}${path}`)).status]).toEqual([path, 200]);

    const keyFile = join(svc.dataDir, 'dev-api-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^fsk_[A-Za-z0-9_-]{43}$/);
    expect((await postJson(`${svc.url}/v1/score`, txn('open-1'), bearer(key))).status).toBe(200);
    expect((await postJson(`${svc.url}/v1/feedback`, label('open-1', 'analyst'), bearer(key))).status).toBe(201);
    expect((await get(`${svc.url}/v1/decisions/open-1`, bearer(key))).status).toBe(200);
    expect((await postJson(`${svc.url}/v1/score`, txn('open-2'), bearer(`${key}x`))).body).toEqual({ error: { code: 'unauthenticated', message: 'the API key is not valid' } });
    expect((await postJson(`${svc.url}/v1/score`, txn('open-2'), { authorization: `Basic ${key}` })).status).toBe(401);

    const startLine = svc.logs.find((l) => String(l.msg).includes('development client'));
    expect(startLine?.msg).toContain('dev-api-key');
    expect(JSON.stringify(svc.logs)).not.toContain(key);
  });

  it('AUTH=off is explicit and warned about', async () => {
    svc = await startTestService({ AUTH: 'off', DECISION_EVENTS: 'off' });
    expect((await postJson(`${svc.url}/v1/score`, txn('off-1'))).status).toBe(200);
    expect(svc.logs.some((l) => l.level === 40 && String(l.msg).startsWith('AUTH=off'))).toBe(true);
  });
});

describe('authentication: API-key clients and their scopes', () => {
  const keys = { scorer: generateApiKey(), app: generateApiKey(), analyst: generateApiKey(), ops: generateApiKey(), slow: generateApiKey() };
  let path: string;
  let svc: TestService;
  beforeAll(async () => {
    path = clientsFile([
      { name: 'payments', scopes: ['score'], key: keys.scorer },
      { name: 'confirmation-app', scopes: ['feedback:user_confirmation'], key: keys.app },
      { name: 'analysts', scopes: ['feedback:analyst', 'feedback:chargeback', 'decisions:read'], key: keys.analyst },
      { name: 'ops', scopes: ['admin'], key: keys.ops },
      { name: 'throttled', scopes: ['score'], key: keys.slow, rateLimit: { perSecond: 0.5, burst: 3 } },
    ]);
    svc = await startTestService({ AUTH: 'on', AUTH_CLIENTS_FILE: path, AUTH_RELOAD_INTERVAL_MS: '100', METRICS_AUTH: 'admin', DECISION_EVENTS: 'off' });
    expect((await postJson(`${svc.url}/v1/score`, txn('k-1'), bearer(keys.scorer))).status).toBe(200);
  });
  afterAll(async () => {
    await svc.close();
  });

  const forbidden = (client: string, scope: string) => ({ error: { code: 'forbidden', message: `client "${client}" lacks the scope "${scope}"`, details: [{ path: '', message: `requires scope ${scope}` }] } });

  it('enforces each route\'s scope, and the feedback scope of the label\'s source', async () => {
    expect((await postJson(`${svc.url}/v1/feedback`, label('k-1', 'chargeback'), bearer(keys.scorer))).body).toEqual(forbidden('payments', 'feedback:chargeback'));
    expect((await get(`${svc.url}/v1/decisions/k-1`, bearer(keys.scorer))).body).toEqual(forbidden('payments', 'decisions:read'));
    expect((await postJson(`${svc.url}/v1/score`, txn('k-2'), bearer(keys.app))).body).toEqual(forbidden('confirmation-app', 'score'));
    expect((await postJson(`${svc.url}/v1/feedback`, label('k-1', 'chargeback'), bearer(keys.app))).body).toEqual(forbidden('confirmation-app', 'feedback:chargeback'));
    expect((await postJson(`${svc.url}/v1/feedback`, label('k-1', 'analyst'), bearer(keys.app))).body).toEqual(forbidden('confirmation-app', 'feedback:analyst'));
    expect((await postJson(`${svc.url}/v1/feedback`, label('k-1', 'user_confirmation'), bearer(keys.app))).status).toBe(201);
    expect((await postJson(`${svc.url}/v1/feedback`, label('k-1', 'chargeback'), bearer(keys.analyst))).status).toBe(201);
    expect((await postJson(`${svc.url}/v1/feedback`, label('k-1', 'user_confirmation'), bearer(keys.analyst))).body).toEqual(forbidden('analysts', 'feedback:user_confirmation'));
    const read = await get(`${svc.url}/v1/decisions/k-1`, bearer(keys.analyst));
    expect([read.status, (read.body.labels as unknown[]).length]).toEqual([200, 2]);
    // A body is not read (nor validated) before the caller is known.
    expect((await postJson(`${svc.url}/v1/score`, '{not json', {})).status).toBe(401);
  });

  it('restricts /metrics to the admin scope when METRICS_AUTH=admin, and counts refusals', async () => {
    expect((await get(`${svc.url}/metrics`)).status).toBe(401);
    expect((await get(`${svc.url}/metrics`, bearer(keys.scorer))).body).toEqual(forbidden('payments', 'admin'));
    const text = await (await fetch(`${svc.url}/metrics`, { headers: bearer(keys.ops) })).text();
    expect(Number(/fraud_auth_refused_total\{reason="forbidden"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(7);
    expect(Number(/fraud_auth_refused_total\{reason="unauthenticated"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('limits a client to its token bucket: 429 with Retry-After, counted by client, others unaffected', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${svc.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(keys.slow) }, body: JSON.stringify(txn(`slow-${i}`)) });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.text();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await postJson(`${svc.url}/v1/score`, txn('k-3'), bearer(keys.scorer))).status).toBe(200);
    const text = await (await fetch(`${svc.url}/metrics`, { headers: bearer(keys.ops) })).text();
    expect(text).toContain('fraud_rate_limited_total{client="throttled"} 2');
  });

  it('rotates keys without a restart: a new key works and a removed one stops working once the file changes', async () => {
    const next = generateApiKey();
    writeClients(path, [
      { name: 'payments', scopes: ['score'], key: next },
      { name: 'ops', scopes: ['admin'], key: keys.ops },
    ]);
    await waitFor('the reload', async () => (await postJson(`${svc.url}/v1/score`, txn('rot-1'), bearer(next))).status === 200);
    expect((await postJson(`${svc.url}/v1/score`, txn('rot-2'), bearer(keys.scorer))).status).toBe(401);
    // A broken file keeps the previous clients in force.
    writeFileSync(path, '{"clients": [{"name": "x", "scopes": ["root"], "keys": []}]}');
    await new Promise((r) => setTimeout(r, 400));
    expect((await postJson(`${svc.url}/v1/score`, txn('rot-3'), bearer(next))).status).toBe(200);
  });
});

describe('authentication: JWT bearer tokens against a JWKS file', () => {
  let svc: TestService;
  let key: KeyLike;
  let other: KeyLike;
  const token = (claims: Record<string, unknown>, opts: { key?: KeyLike; audience?: string; expires?: string | number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://auth.example.test')
      .setAudience(opts.audience ?? 'fraud-scoring')
      .setIssuedAt()
      .setExpirationTime(opts.expires ?? '5m')
      .sign(opts.key ?? key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    other = (await generateKeyPair('ES256')).privateKey;
    const publicJwk = await exportJWK(pair.publicKey);
    const jwks = join(mkdtempSync(join(tmpdir(), 'jwks-')), 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...publicJwk, kid: 'k1', alg: 'ES256', use: 'sig' }] }));
    svc = await startTestService({ AUTH: 'on', AUTH_JWKS_FILE: jwks, AUTH_JWT_ISSUER: 'https://auth.example.test', AUTH_JWT_AUDIENCE: 'fraud-scoring', DECISION_EVENTS: 'off' });
  });
  afterAll(async () => {
    await svc.close();
  });

  it('accepts a valid token with its scopes and refuses wrong audience, expired, foreign-key and scope-less ones', async () => {
    const scorer = await token({ client_id: 'payments', scope: 'score' });
    expect((await postJson(`${svc.url}/v1/score`, txn('j-1'), bearer(scorer))).status).toBe(200);
    const app = await token({ sub: 'confirmation-app', scope: 'feedback:user_confirmation openid' });
    expect((await postJson(`${svc.url}/v1/feedback`, label('j-1', 'user_confirmation'), bearer(app))).status).toBe(201);
    expect((await postJson(`${svc.url}/v1/feedback`, label('j-1', 'chargeback'), bearer(app))).body).toMatchObject({ error: { code: 'forbidden', message: 'client "confirmation-app" lacks the scope "feedback:chargeback"' } });
    expect((await postJson(`${svc.url}/v1/score`, txn('j-2'), bearer(await token({ client_id: 'payments', scope: 'score' }, { audience: 'other' })))).body).toEqual({ error: { code: 'unauthenticated', message: 'the token is not valid' } });
    expect((await postJson(`${svc.url}/v1/score`, txn('j-2'), bearer(await token({ client_id: 'payments', scope: 'score' }, { expires: Math.floor(Date.now() / 1000) - 120 })))).body).toEqual({ error: { code: 'unauthenticated', message: 'the token has expired' } });
    expect((await postJson(`${svc.url}/v1/score`, txn('j-2'), bearer(await token({ client_id: 'payments', scope: 'score' }, { key: other })))).status).toBe(401);
    expect((await postJson(`${svc.url}/v1/score`, txn('j-2'), bearer(await token({ client_id: 'payments' })))).status).toBe(403);
    // No API keys are configured: a key-shaped bearer is unknown.
    expect((await postJson(`${svc.url}/v1/score`, txn('j-2'), bearer(generateApiKey()))).status).toBe(401);
  });
});

describe('who did what, and what the logs never say', () => {
  const url = postgresTestUrl();
  const pgUp = postgresAvailable(url);

  (pgUp ? it : it.skip)('records the client with decisions and labels, pseudonymises user ids in events, and logs no secret at LOG_LEVEL=trace', async () => {
    const keys = { payments: generateApiKey(), app: generateApiKey() };
    const path = clientsFile([
      { name: 'payments', scopes: ['score', 'decisions:read'], key: keys.payments },
      { name: 'confirmation-app', scopes: ['feedback:user_confirmation'], key: keys.app },
    ]);
    const pseudonymKey = 'p'.repeat(40);
    const keyFile = join(mkdtempSync(join(tmpdir(), 'pseudonym-')), 'key');
    writeFileSync(keyFile, `${pseudonymKey}\n`);
    // A password in the database URL (the local server trusts any): it must never reach a log line.
    const password = 'Sup3r-s3cret-pw';
    const schema = testSchemaName();
    const dbUrl = url.replace('postgres://postgres@', `postgres://postgres:${password}@`);
    expect(dbUrl).toContain(password);
    const svc = await startTestService({
      AUTH: 'on', AUTH_CLIENTS_FILE: path, PSEUDONYM_KEY_FILE: keyFile, LOG_LEVEL: 'trace', DECISION_EVENTS: 'on', DECISION_EVENT_SAMPLE_RATE: '1',
      DECISION_LOG: 'postgres', DATABASE_URL: dbUrl, DATABASE_SCHEMA: schema,
    });
    try {
      expect((await postJson(`${svc.url}/v1/score`, txn('who-1'), bearer(keys.payments))).status).toBe(200);
      expect((await postJson(`${svc.url}/v1/feedback`, label('who-1', 'user_confirmation'), bearer(keys.app))).status).toBe(201);
      expect((await postJson(`${svc.url}/v1/score`, txn('who-2'), bearer(`${keys.payments}0`))).status).toBe(401);
      const read = await get(`${svc.url}/v1/decisions/who-1`, bearer(keys.payments));
      expect(read.body).toMatchObject({ client: 'payments', labels: [{ source: 'user_confirmation', client: 'confirmation-app' }] });

      await waitFor('the decision event', () => svc.logs.some((l) => (l.fraud as { transaction_id?: string } | undefined)?.transaction_id === 'who-1'));
      const event = svc.logs.find((l) => (l.fraud as { transaction_id?: string } | undefined)?.transaction_id === 'who-1') as { fraud: Record<string, unknown> };
      expect(event.fraud).toMatchObject({ client: 'payments', user_pseudonym: createHmac('sha256', pseudonymKey).update('u-who-1').digest('hex').slice(0, 32) });
      expect(event.fraud.user_id).toBeUndefined();
      const text = JSON.stringify(svc.logs);
      expect(svc.logs.length).toBeGreaterThanOrEqual(3);
      for (const secret of [keys.payments, keys.app, pseudonymKey, password, 'u-who-1']) expect([secret, text.includes(secret)]).toEqual([secret, false]);
    } finally {
      await svc.close();
      await dropTestSchema(url, schema);
    }
  });
});
