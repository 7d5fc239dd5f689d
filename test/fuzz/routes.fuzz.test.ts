import fc from 'fast-check';
import { request } from 'node:http';
import { generateApiKey, hashApiKey } from '../../src/auth/api-key';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRORS } from '../../src/http/errors';
import { startTestService, type TestService } from '../support/service';

/**
 * A property-based fuzz of every route: arbitrary methods, paths (percent-encodings included),
 * headers (content types, charsets, encodings, lengths, credentials), and bodies (random JSON,
 * valid requests with fields replaced, duplicate keys, bytes). The property: the service never
 * answers 5xx, every error is a JSON body with a code from the catalogue, and it keeps serving.
 * FUZZ_CASES sets the number of cases (default 5,000; `FUZZ_CASES=200000 npx jest test/fuzz`
 * for a long run); FUZZ_SEED replays a run.
 */
const CASES = Number(process.env.FUZZ_CASES ?? 5_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const KEYS = { all: generateApiKey(), score: generateApiKey(), none: generateApiKey() };

const VALID_TXN = { transactionId: 'fz-0', timestamp: '2018-09-01T10:00:00Z', userId: 'u-fz', merchantId: 'm-fz', amountMinor: 2_500, currency: 'EUR', channel: 'ecommerce', mcc: '5411', merchantCountry: 'FR', userCountry: 'DE' };
const VALID_LABEL = { transactionId: 'fz-0', label: 'fraud', source: 'analyst', reportedAt: '2018-09-01T10:05:00Z' };

const printable = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~'.split('')), maxLength: 40 });
const token = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABC0123456789-_.'.split('')), minLength: 1, maxLength: 60 });

const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), fc.constantFrom('FOO', 'CONNECTX', 'PROPFIND'));
const segment = fc.oneof(token, fc.constantFrom('%', '%E0%A4%A', '%00', '%2F', '..', '%C0%AF', 'fz-0', '%ZZ', '~', ''));
const path = fc.oneof(
  fc.constantFrom('/v1/score', '/v1/feedback', '/v1/decisions/fz-0', '/healthz', '/readyz', '/metrics', '/', '/v1', '/v1/decisions/'),
  fc.tuple(fc.constantFrom('/v1/decisions/', '/v1/', '/', '/v1/score/'), segment).map(([a, b]) => a + b),
  fc.tuple(fc.constantFrom('/v1/score', '/metrics', '/v1/decisions/x'), fc.constantFrom('?a=1', '?%', '#x', '?x=%E0', '//')).map(([a, b]) => a + b),
);
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(`Bearer ${KEYS.all}`, `Bearer ${KEYS.score}`, `Bearer ${KEYS.none}`, 'Bearer', 'Bearer ', `Basic ${KEYS.all}`, `bearer ${KEYS.all}`, 'Bearer a.b.c', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x'),
  printable.map((s) => `Bearer ${s}`),
  printable,
);
const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=', '*/*', ''),
  printable,
);
const contentEncoding = fc.oneof(fc.constant(undefined), fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, br', ''), printable);

/** A JSON value with some of `base`'s fields replaced, dropped or added. */
function mutated(base: Record<string, unknown>) {
  const value = fc.oneof(fc.jsonValue(), printable, fc.integer(), fc.double(), fc.constant(null), fc.constantFrom('__proto__', 'constructor', '1e309', '-0'));
  return fc
    .record({
      replace: fc.dictionary(fc.constantFrom(...Object.keys(base)), value, { maxKeys: 3 }),
      drop: fc.subarray(Object.keys(base), { maxLength: 2 }),
      add: fc.dictionary(fc.oneof(printable, fc.constantFrom('__proto__', 'constructor', 'extra')), value, { maxKeys: 2 }),
    })
    .map(({ replace, drop, add }) => {
      const o: Record<string, unknown> = { ...base, ...replace };
      for (const k of drop) delete o[k];
      return JSON.stringify({ ...o, ...add });
    });
}
const body = fc.oneof(
  fc.constant(undefined),
  mutated(VALID_TXN),
  mutated(VALID_LABEL),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constantFrom(JSON.stringify(VALID_TXN), JSON.stringify(VALID_LABEL), '{"a":1,"a":2}', '{', '[]', 'null', '"x"', '{"transactionId":"x","transactionId":"y"}', '\u0000', '{"amountMinor":1e400}'),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  printable,
);
const contentLength = fc.oneof(fc.constant('auto'), fc.constant('auto'), fc.constant('auto'), fc.constantFrom('0', '5'));

const CASE = fc.record({ method, path, authorization, contentType, contentEncoding, body, contentLength });
type Case = typeof CASE extends fc.Arbitrary<infer T> ? T : never;

describe('fuzz: every route, arbitrary requests', () => {
  let svc: TestService;
  beforeAll(async () => {
    const clients = join(mkdtempSync(join(tmpdir(), 'fuzz-')), 'clients.json');
    writeFileSync(
      clients,
      JSON.stringify({
        clients: [
          { name: 'all', scopes: ['score', 'feedback:user_confirmation', 'feedback:chargeback', 'feedback:analyst', 'decisions:read', 'admin'], keys: [hashApiKey(KEYS.all)] },
          { name: 'scorer', scopes: ['score'], keys: [hashApiKey(KEYS.score)], rateLimit: { perSecond: 2000, burst: 50 } },
          { name: 'nothing', scopes: [], keys: [hashApiKey(KEYS.none)] },
        ],
      }),
    );
    svc = await startTestService({ AUTH: 'on', AUTH_CLIENTS_FILE: clients, METRICS_AUTH: 'admin', DECISION_EVENTS: 'off', LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await svc.close();
  });

  /** Sends one case; the transport error of a connection the server closed (a refused body) counts as an answer of 0. */
  function send(c: Case): Promise<Reply> {
    const u = new URL(svc.url);
    const headers: Record<string, string> = {};
    if (c.authorization !== undefined) headers.authorization = c.authorization;
    if (c.contentType !== undefined) headers['content-type'] = c.contentType;
    if (c.contentEncoding !== undefined) headers['content-encoding'] = c.contentEncoding;
    const bytes = c.body === undefined ? null : Buffer.from(c.body, 'latin1');
    if (bytes !== null) headers['content-length'] = c.contentLength === 'auto' ? String(bytes.length) : String(Math.min(Number(c.contentLength), bytes.length));
    return new Promise((resolve) => {
      // A connection per case: one the server closed after a refusal never carries the next case.
      const req = request({ host: u.hostname, port: u.port, method: c.method, path: c.path, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: 0, contentType: '', body: '' }));
      });
      req.setTimeout(10_000, () => req.destroy());
      req.on('error', () => resolve({ status: 0, contentType: '', body: '' }));
      if (bytes !== null) req.end(headers['content-length'] === String(bytes.length) ? bytes : bytes.subarray(0, Number(headers['content-length'])));
      else req.end();
    });
  }

  it(`answers ${CASES} arbitrary requests without a 5xx, every error a catalogued JSON code, and keeps serving`, async () => {
    const statuses = new Map<number, number>();
    const unanswered: Case[] = [];
    await fc.assert(
      fc.asyncProperty(CASE, async (c) => {
        const r = await send(c);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 0) unanswered.push(c);
        if (r.status >= 500) throw new Error(`${r.status} ${r.body}`);
        if (r.status >= 400 && c.method !== 'HEAD') {
          const code = (JSON.parse(r.body) as { error: { code: string } }).error.code;
          if (!(code in ERRORS)) throw new Error(`uncatalogued code ${code}`);
        }
      }),
      { numRuns: CASES, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true },
    );
    const health = await send({ method: 'GET', path: '/healthz', authorization: undefined, contentType: undefined, contentEncoding: undefined, body: undefined, contentLength: 'auto' });
    expect(health.status).toBe(200);
    const summary = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    console.log(`fuzz: ${CASES} cases${SEED === undefined ? '' : ` (seed ${SEED})`}, statuses ${JSON.stringify(summary)}`);
    expect(summary[200] ?? 0).toBeGreaterThan(0);
    // No answer only where the request itself could not be completed: a declared length the body does not reach.
    expect(unanswered.filter((c) => !(c.body !== undefined && c.contentLength !== 'auto'))).toEqual([]);
  }, 60_000 + CASES * 20);
});
