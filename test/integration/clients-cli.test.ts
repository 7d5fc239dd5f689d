import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/fraudctl';
import { postJson, startTestService } from '../support/service';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env } } as never, out, err };
}

const txn = (id: string) => ({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId: 'u-cli', merchantId: 'm-cli', amountMinor: 900, currency: 'EUR' });

describe('fraudctl clients', () => {
  it('adds a client (its key printed once, only its hash stored), rotates it with both keys valid, and lists', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'clients-cli-')), 'clients.json');
    const add = io();
    expect(await main(['clients', 'add', '--file', file, '--name', 'payments', '--scopes', 'score', '--rate-limit', '500/1000', '--json'], add.io)).toBe(0);
    const { key } = JSON.parse(add.out.join('')) as { key: string };
    expect(readFileSync(file, 'utf8')).not.toContain(key);
    const rotate = io();
    expect(await main(['clients', 'rotate', '--file', file, '--name', 'payments', '--json'], rotate.io)).toBe(0);
    const next = (JSON.parse(rotate.out.join('')) as { key: string }).key;
    const list = io();
    expect(await main(['clients', 'list', '--file', file, '--json'], list.io)).toBe(0);
    expect(JSON.parse(list.out.join(''))).toEqual({ clients: [{ name: 'payments', scopes: ['score'], keys: 2, rateLimit: { perSecond: 500, burst: 1000 } }] });

    const svc = await startTestService({ AUTH: 'on', AUTH_CLIENTS_FILE: file, DECISION_EVENTS: 'off' });
    try {
      for (const k of [key, next]) expect((await postJson(`${svc.url}/v1/score`, txn(`c-${k.slice(4, 10)}`), { authorization: `Bearer ${k}` })).status).toBe(200);
    } finally {
      await svc.close();
    }

    const bad = io();
    expect(await main(['clients', 'add', '--file', file, '--name', 'x', '--scopes', 'score,root'], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain('unknown scope(s) root');
  });
});
