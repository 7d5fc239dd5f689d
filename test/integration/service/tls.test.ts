import { copyFileSync, readFileSync, renameSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { waitFor } from '../../contract/support/wait-for';
import { createTestPki, issue, type TestPki } from '../../support/certificates';
import { startTestService, type TestService } from '../../support/service';

interface Answer {
  readonly status: number;
  readonly body: string;
  /** The serial number of the certificate the server presented (hex). */
  readonly serial: string;
}

/** One HTTPS request on a fresh connection (no agent), trusting `ca`, with an optional client certificate. */
function https(url: string, path: string, o: { ca: string; cert?: string; key?: string; method?: string; body?: string }): Promise<Answer> {
  const u = new URL(url);
  const options: RequestOptions = {
    host: u.hostname,
    port: u.port,
    path,
    method: o.method ?? 'GET',
    agent: false,
    ca: readFileSync(o.ca),
    ...(o.cert === undefined ? {} : { cert: readFileSync(o.cert), key: readFileSync(o.key as string) }),
    headers: o.body === undefined ? {} : { 'content-type': 'application/json' },
  };
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const txn = (id: string) => JSON.stringify({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId: 'u-tls', merchantId: 'm-tls', amountMinor: 1_200, currency: 'EUR' });

describe('HTTPS and mTLS', () => {
  let pki: TestPki;
  let svc: TestService | null = null;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterEach(async () => {
    await svc?.close();
    svc = null;
  });

  it('serves HTTPS only from the certificate and key files, and picks up a renewed certificate without a restart', async () => {
    // The service reads copies, which the test replaces as a certificate manager would.
    const cert = `${pki.dir}/live.crt`;
    const key = `${pki.dir}/live.key`;
    copyFileSync(pki.serverCert, cert);
    copyFileSync(pki.serverKey, key);
    svc = await startTestService({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key, TLS_RELOAD_INTERVAL_MS: '100', DECISION_EVENTS: 'off' });
    expect(svc.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const url = svc.url;
    expect(await https(url, '/healthz', { ca: pki.caCert })).toMatchObject({ status: 200, serial: '01' });
    expect((await https(url, '/v1/score', { ca: pki.caCert, method: 'POST', body: txn('tls-1') })).status).toBe(200);
    // Plain HTTP on the same port gets no answer.
    await expect(
      new Promise((resolve, reject) => {
        const req = httpRequest(url.replace('https', 'http') + '/healthz', (res) => resolve(res.statusCode));
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toThrow();
    // An untrusted server certificate is refused by the client (the test's CA is required).
    await expect(https(url, '/healthz', { ca: pki.clientCert })).rejects.toThrow();

    const renewed = issue(pki, 'server', 'server', 7);
    copyFileSync(renewed.key, `${key}.new`);
    copyFileSync(renewed.cert, `${cert}.new`);
    renameSync(`${key}.new`, key);
    renameSync(`${cert}.new`, cert);
    await waitFor('the renewed certificate', async () => (await https(url, '/healthz', { ca: pki.caCert })).serial === '07');
    expect(svc.logs.some((l) => l.msg === 'TLS certificate reloaded')).toBe(true);
  });

  it('with a client CA, refuses a client without a certificate from it (mTLS) and serves one with', async () => {
    svc = await startTestService({ TLS_CERT_FILE: pki.serverCert, TLS_KEY_FILE: pki.serverKey, TLS_CLIENT_CA_FILE: pki.caCert, DECISION_EVENTS: 'off' });
    const url = svc.url;
    await expect(https(url, '/healthz', { ca: pki.caCert })).rejects.toThrow();
    // A certificate from another CA is refused too.
    const other = createTestPki();
    await expect(https(url, '/healthz', { ca: pki.caCert, cert: other.clientCert, key: other.clientKey })).rejects.toThrow();
    expect(await https(url, '/v1/score', { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey, method: 'POST', body: txn('mtls-1') })).toMatchObject({ status: 200 });
  });
});
