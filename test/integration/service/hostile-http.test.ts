import { connect, type Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { postJson, startTestService, type TestService } from '../../support/service';

const txn = (over: Record<string, unknown> = {}) => ({
  transactionId: 'tx-1',
  timestamp: '2018-09-01T10:00:00Z',
  userId: 'c00001',
  merchantId: 'm00001',
  amountMinor: 4_250,
  currency: 'EUR',
  ...over,
});

/** One raw HTTP/1.1 exchange on a new socket: what the server answered (status and body), or null when it closed without answering. */
function rawRequest(port: number, head: string, body: Buffer | string = ''): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve(m === null ? null : { status: Number(m[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(head);
    socket.end(body);
  });
}

/** The error code of a JSON error body. */
const codeOf = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

describe('hostile HTTP input', () => {
  let svc: TestService;
  let port: number;
  beforeAll(async () => {
    svc = await startTestService({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' });
    port = Number(new URL(svc.url).port);
  });
  afterAll(async () => {
    await svc.close();
  });

  it('refuses compressed bodies, valid or not, with 415 unsupported_content_encoding', async () => {
    const json = Buffer.from(JSON.stringify(txn({ transactionId: 'gz' })));
    const bodies: ReadonlyArray<readonly [string, Buffer]> = [
      ['gzip', gzipSync(json)],
      ['gzip', Buffer.from('not gzip at all')],
      ['deflate', deflateSync(json)],
      ['deflate', Buffer.from([0x78, 0x9c, 0xff, 0x00])],
      ['br', brotliCompressSync(json)],
      ['br', Buffer.from('\u00ff\u00fe')],
      ['zstd', Buffer.from('x')],
    ];
    for (const path of ['/v1/score', '/v1/feedback']) {
      for (const [encoding, body] of bodies) {
        const r = await rawRequest(port, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: ${encoding}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body);
        expect({ path, encoding, status: r?.status, code: r === null ? null : codeOf(r.body) }).toEqual({ path, encoding, status: 415, code: 'unsupported_content_encoding' });
      }
    }
    expect((await fetch(`${svc.url}/v1/decisions/gz`)).status).toBe(404);
  });

  it('answers a malformed percent-encoding in the path with 400 invalid_path', async () => {
    for (const path of ['/v1/decisions/%E0%A4%A', '/v1/decisions/%', '/v1/decisions/%zz']) {
      const r = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect({ path, status: r?.status, code: r === null ? null : codeOf(r.body) }).toEqual({ path, status: 400, code: 'invalid_path' });
    }
  });

  it('refuses a body that repeats a key, naming it, on the lean and the chunked path, and stores nothing', async () => {
    const twice = '{"transactionId":"dup-1","timestamp":"2018-09-01T10:00:00Z","userId":"dup-user","merchantId":"m00001","amountMinor":1,"currency":"EUR","amountMinor":99999}';
    const lean = await postJson(`${svc.url}/v1/score`, twice);
    expect(lean).toEqual({
      status: 400,
      body: { error: { code: 'duplicate_key', message: 'the request body repeats the key /amountMinor', details: [{ path: '/amountMinor', message: 'must not repeat within its object' }] } },
    });
    const chunked = await rawRequest(
      port,
      `POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      `${twice.length.toString(16)}\r\n${twice}\r\n0\r\n\r\n`,
    );
    expect(chunked?.status).toBe(400);
    expect(codeOf(chunked?.body ?? '{}')).toBe('duplicate_key');
    const label = await postJson(`${svc.url}/v1/feedback`, '{"transactionId":"dup-1","label":"fraud","source":"chargeback","label":"legit","reportedAt":"2018-09-02T10:00:00Z"}');
    expect(label.status).toBe(400);
    expect((label.body.error as { code: string }).code).toBe('duplicate_key');
    expect((await fetch(`${svc.url}/v1/decisions/dup-1`)).status).toBe(404);
    expect((await svc.store.get('dup-user', 'm00001')).user.total).toBe(0);
  });

  it('refuses a charset other than UTF-8 with 415', async () => {
    const r = await postJson(`${svc.url}/v1/score`, JSON.stringify(txn({ transactionId: 'utf16' })), { 'content-type': 'application/json; charset=utf-16' });
    expect(r.status).toBe(415);
    expect((r.body.error as { code: string }).code).toBe('unsupported_media_type');
  });

  it('closes slow clients by its timeouts while serving everyone else, and keeps idle keep-alive connections', async () => {
    const slow: Socket[] = [];
    const closedAt: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 200; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => closedAt.push(Date.now() - started));
      // Half never finish their headers; half send headers and then a body that never completes.
      if (i % 2 === 0) socket.write('POST /v1/score HTTP/1.1\r\nHost: x\r\n');
      else socket.write('POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"transactionId":');
      slow.push(socket);
    }
    // A byte now and then from every slow client: they are slow, not idle.
    const drip = setInterval(() => {
      for (const s of slow) if (!s.destroyed) s.write(' ');
    }, 200);
    // A keep-alive connection that answers a request, idles past the headers timeout, and is used again.
    const keepAlive = connect(port, '127.0.0.1');
    const answers: string[] = [];
    keepAlive.on('data', (d: Buffer) => answers.push(d.toString('latin1')));
    const body = JSON.stringify(txn({ transactionId: 'ka-1' }));
    keepAlive.write(`POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    try {
      // Meanwhile everyone else is served.
      const served: number[] = [];
      while (Date.now() - started < 3_000) {
        const r = await postJson(`${svc.url}/v1/score`, txn({ transactionId: `others-${served.length}` }));
        served.push(r.status);
      }
      expect(served.length).toBeGreaterThan(20);
      expect(served.every((s) => s === 200)).toBe(true);
      // Every slow client was closed, by the request timeout (2 s) at the latest, checked each second.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(closedAt).toHaveLength(200);
      expect(Math.max(...closedAt)).toBeLessThan(4_500);
      const again = JSON.stringify(txn({ transactionId: 'ka-2' }));
      keepAlive.write(`POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${again.length}\r\n\r\n${again}`);
      await new Promise((r) => setTimeout(r, 500));
      expect(keepAlive.destroyed).toBe(false);
      expect(answers.join('').match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    } finally {
      clearInterval(drip);
      keepAlive.destroy();
      for (const s of slow) s.destroy();
    }
  });
});

describe('the connection cap', () => {
  it('closes connections beyond HTTP_MAX_CONNECTIONS at once and serves again below it', async () => {
    const svc = await startTestService({ HTTP_MAX_CONNECTIONS: '10' });
    const port = Number(new URL(svc.url).port);
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        await new Promise((r) => s.once('connect', r));
        held.push(s);
      }
      // Give the server the time to accept them all before the next one counts.
      await new Promise((r) => setTimeout(r, 200));
      const refused = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').catch(() => null);
      expect(refused).toBeNull();
      for (const s of held.splice(0)) s.destroy();
      await new Promise((r) => setTimeout(r, 200));
      const served = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(served?.status).toBe(200);
    } finally {
      for (const s of held) s.destroy();
      await svc.close();
    }
  });
});
