import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRegistry } from '../../support/service';
import { spawnService } from '../../support/spawn-service';

const txn = (i: number) => ({ transactionId: `sd-${i}`, timestamp: '2018-09-01T10:00:00Z', userId: `c${i % 40}`, merchantId: `m${i % 9}`, amountMinor: 500 + i, currency: 'EUR' });

describe('graceful shutdown', () => {
  it('on SIGTERM finishes in-flight requests, flushes the decision log and exits 0: no acknowledged decision is lost', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shutdown-'));
    // Batches big and slow enough that acknowledged decisions are still buffered when SIGTERM lands.
    const svc = await spawnService({ DATA_DIR: dataDir, MODEL_REGISTRY_DIR: copyRegistry(), DECISION_LOG_FLUSH_MS: '60000', DECISION_LOG_BATCH_SIZE: '100000' });
    const acknowledged: string[] = [];
    let next = 0;
    let refused = 0;
    const worker = async () => {
      while (next < 5_000) {
        const t = txn(next++);
        try {
          const res = await fetch(`${svc.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t) });
          if (res.status === 200) acknowledged.push(t.transactionId);
          if (acknowledged.length === 300) svc.child.kill('SIGTERM');
        } catch {
          refused++; // the listener is closed: the client sees a connection error, never a lost answer
          if (refused > 20) return;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(await svc.exited).toBe(0);
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    expect(svc.output()).toContain('shutdown complete');
    const db = new Database(join(dataDir, 'fraud.db'), { readonly: true });
    const stored = new Set((db.prepare('SELECT transaction_id FROM decisions').all() as { transaction_id: string }[]).map((r) => r.transaction_id));
    db.close();
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('writes one decision event per answer to stdout from its own thread, every line whole, all before exit', async () => {
    const svc = await spawnService({ DATA_DIR: mkdtempSync(join(tmpdir(), 'events-')), MODEL_REGISTRY_DIR: copyRegistry(), DECISION_EVENTS: 'on', DECISION_EVENT_SAMPLE_RATE: '1' });
    const ids = Array.from({ length: 400 }, (_, i) => txn(10_000 + i));
    const answers = await Promise.all(
      ids.map((t) => fetch(`${svc.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t) }).then((r) => r.status)),
    );
    expect(answers.every((status) => status === 200)).toBe(true);
    // Right away: events still batched in this process must be written before it exits.
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    const lines = svc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    // Every line on the pipe parses: the writer thread never cut into the main logger's lines.
    const parsed = lines.map((l) => JSON.parse(l) as { message?: string; fraud?: { transaction_id: string } });
    const events = parsed.filter((l) => l.fraud !== undefined).map((l) => (l.fraud as { transaction_id: string }).transaction_id);
    expect(events.sort()).toEqual(ids.map((t) => t.transactionId).sort());
    const complete = parsed.findIndex((l) => l.message === 'shutdown complete');
    expect(complete).toBeGreaterThan(parsed.findLastIndex((l) => l.fraud !== undefined));
  });
});
