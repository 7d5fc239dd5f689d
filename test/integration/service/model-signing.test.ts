import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/fraudctl';
import { ModelRegistry } from '../../../src/model/registry/model-registry';
import { signerFromPem } from '../../../src/model/registry/model-signature';
import { waitFor } from '../../contract/support/wait-for';
import { postJson, startTestService, type TestService } from '../../support/service';
import { generateKeyPairSync } from 'node:crypto';

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, ...env } } as never, out, err };
}

/** A copy of the champion's entry under `version`, its model.json rewritten by `edit` (signature kept as it was). */
function copyEntry(registryDir: string, version: string, edit: (meta: Record<string, unknown>) => void): void {
  const source = new ModelRegistry(registryDir).champion();
  if (source === null) throw new Error('no champion');
  const dir = join(registryDir, version);
  cpSync(source.dir, dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  edit(meta);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(meta, null, 2));
}

/** Moves the champion pointer by hand, as someone with write access to the registry volume could. */
function pointTo(registryDir: string, version: string): void {
  const pointer = JSON.parse(readFileSync(join(registryDir, 'champion.json'), 'utf8')) as { version: string; history: string[] };
  writeFileSync(join(registryDir, 'champion.json'), JSON.stringify({ version, updatedAt: new Date().toISOString(), history: [pointer.version, ...pointer.history] }));
}

const txn = (id: string) => ({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId: 'u-sig', merchantId: 'm-sig', amountMinor: 42_000, currency: 'EUR', channel: 'ecommerce' });

describe('signed models', () => {
  let svc: TestService;
  let serving: string;
  beforeAll(async () => {
    // The committed champion is signed by the project's key, which the committed registry trusts.
    svc = await startTestService({ MODEL_POLL_INTERVAL_MS: '100', MODEL_SIGNATURES: 'required', DECISION_EVENTS: 'off' });
    serving = svc.models.champion()?.version as string;
    expect(serving).toBeDefined();
  });
  afterAll(async () => {
    await svc.close();
  });

  it('refuses a tampered or unsigned version in the service, keeping the last good one, and in `models promote`', async () => {
    const env = { MODEL_REGISTRY_DIR: svc.registryDir, MODEL_ACTOR: 'mallory' };
    const before = await postJson(`${svc.url}/v1/score`, txn('sig-1'));
    expect(before.status).toBe(200);
    // Thresholds 1/1 would approve everything, 0/0 decline everything; the version is renamed too.
    copyEntry(svc.registryDir, 'v-approve-all', (m) => {
      m.version = 'v-approve-all';
      m.thresholds = { challenge: 1, decline: 1 };
    });
    copyEntry(svc.registryDir, 'v-unsigned', (m) => {
      m.version = 'v-unsigned';
      delete m.signature;
    });
    for (const [version, why] of [
      ['v-approve-all', /its signature by key [0-9a-f]{16} does not match its manifest \(model\.json was changed after signing\)/],
      ['v-unsigned', /it is not signed/],
    ] as const) {
      const t = io(env);
      const pointer = new ModelRegistry(svc.registryDir).pointer()?.version;
      expect(await main(['models', 'promote', version], t.io)).toBe(1);
      expect(t.err.join('')).toMatch(new RegExp(`^REFUSED: model ${version} is refused: ${why.source}`));
      expect(new ModelRegistry(svc.registryDir).pointer()?.version).toBe(pointer);

      pointTo(svc.registryDir, version);
      await waitFor(`the refusal of ${version}`, () => svc.logs.some((l) => String(l.msg).startsWith(`refusing champion model ${version}: model ${version} is refused: `)));
      const after = await postJson(`${svc.url}/v1/score`, txn(`sig-${version}`));
      expect(after.body).toMatchObject({ modelVersion: serving, degraded: false });
    }
    // The same transaction scores the same: the tampered thresholds never took effect.
    expect((await postJson(`${svc.url}/v1/score`, txn('sig-1'))).body).toEqual(before.body);
  });

  it('accepts a version signed by a newly trusted key, and `models history` lists each promotion and rollback with who and why', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(svc.registryDir, 'trusted-keys', 'release-2.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const signer = signerFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    copyEntry(svc.registryDir, 'v-release-2', (m) => Object.assign(m, signer.sign({ ...(m as object), version: 'v-release-2' } as never)));
    pointTo(svc.registryDir, serving);
    await new Promise((r) => setTimeout(r, 300));
    const env = { MODEL_REGISTRY_DIR: svc.registryDir };
    expect(await main(['models', 'promote', 'v-release-2', '--actor', 'alice', '--reason', 'weekly release'], io(env).io)).toBe(0);
    await waitFor('the swap', () => svc.models.champion()?.version === 'v-release-2');
    expect(await main(['models', 'rollback', '--actor', 'bob', '--reason', 'alert: decline rate'], io(env).io)).toBe(0);
    const t = io(env);
    expect(await main(['models', 'history', '--json'], t.io)).toBe(0);
    const { events } = JSON.parse(t.out.join('')) as { events: Record<string, unknown>[] };
    expect(events.map(({ at: _at, ...e }) => e)).toEqual([
      { action: 'promote', actor: 'alice', from: serving, to: 'v-release-2', reason: 'weekly release' },
      { action: 'rollback', actor: 'bob', from: 'v-release-2', to: serving, reason: 'alert: decline rate' },
    ]);
  });
});
