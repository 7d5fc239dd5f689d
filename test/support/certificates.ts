import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a test PKI: a CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA. */
export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

const openssl = (dir: string, args: readonly string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** Issues a certificate for `name` signed by the CA in `dir`; `serial` makes each issue tell apart. */
export function issue(pki: Pick<TestPki, 'dir' | 'caCert' | 'caKey'>, name: string, usage: 'server' | 'client', serial: number): { cert: string; key: string } {
  const key = join(pki.dir, `${name}-${serial}.key`);
  const csr = join(pki.dir, `${name}-${serial}.csr`);
  const cert = join(pki.dir, `${name}-${serial}.crt`);
  const ext = join(pki.dir, `${name}-${serial}.ext`);
  writeFileSync(ext, usage === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
  openssl(pki.dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  openssl(pki.dir, ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-set_serial', String(serial), '-days', '2', '-out', cert, '-extfile', ext]);
  return { cert, key };
}

/** A fresh test PKI in a temporary directory (openssl on the PATH). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'pki-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caCert, '-subj', '/CN=fraud-scoring test CA', '-days', '2']);
  const server = issue({ dir, caCert, caKey }, 'server', 'server', 1);
  const client = issue({ dir, caCert, caKey }, 'payments-backend', 'client', 2);
  return { dir, caCert, caKey, serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key };
}
