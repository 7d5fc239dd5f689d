import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRegistry, postJson } from '../../support/service';
import { spawnService } from '../../support/spawn-service';

const txn = (i: number) => ({ transactionId: `fd-${i}`, timestamp: '2018-09-01T10:00:00Z', userId: `c${i % 30}`, merchantId: `m${i % 5}`, amountMinor: 700 + i, currency: 'EUR' });

describe('feedback durability', () => {
  it('keeps every acknowledged label through a SIGKILL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'feedback-kill-'));
    const env = { DATA_DIR: dataDir, MODEL_REGISTRY_DIR: copyRegistry(), DECISION_LOG_FLUSH_MS: '5' };
    const first = await spawnService(env);
    const N = 400;
    for (let i = 0; i < N; i++) expect((await postJson(`${first.url}/v1/score`, txn(i))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200)); // decisions are durable shortly after (5 ms batches)

    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < N) {
        const id = `fd-${next++}`;
        try {
          const r = await postJson(`${first.url}/v1/feedback`, { transactionId: id, label: 'fraud', source: 'analyst', reportedAt: '2018-09-02T10:00:00Z' });
          if (r.status === 201) acknowledged.push(id);
          if (acknowledged.length === 150 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          return; // the process is gone: unacknowledged, so nothing was promised
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(await first.exited).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    const second = await spawnService(env);
    try {
      const missing: string[] = [];
      for (const id of acknowledged) {
        const record = (await (await fetch(`${second.url}/v1/decisions/${id}`)).json()) as { labels?: { source: string; label: string }[] };
        if (!record.labels?.some((l) => l.source === 'analyst' && l.label === 'fraud')) missing.push(id);
      }
      expect(missing).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
