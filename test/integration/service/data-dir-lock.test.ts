import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, lockDataDir } from '../../../src/records/data-dir-lock';
import { copyRegistry, postJson, startTestService } from '../../support/service';
import { spawnService } from '../../support/spawn-service';

const txn = (id: string, amountMinor = 4250) => ({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId: 'c1', merchantId: 'm1', amountMinor, currency: 'EUR' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DATA_DIR lock: one service per data directory', () => {
  it('refuses a second holder in this process until the first releases; release is idempotent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const first = lockDataDir(dir, 0);
    expect(() => lockDataDir(dir, 50)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir, 0)).toThrow(`DATA_DIR ${dir} is in use by another fraud-scoring service (it holds ${join(dir, 'owner.lock')}); waited 0 ms`);
    first.release();
    first.release();
    const second = lockDataDir(dir, 0);
    second.release();
  });

  it('a service started on a held DATA_DIR refuses to start, naming it, and gives nothing away', async () => {
    const svc = await startTestService();
    try {
      await expect(startTestService({ DATA_DIR: svc.dataDir, MODEL_REGISTRY_DIR: svc.registryDir, DATA_DIR_LOCK_WAIT_MS: '100' })).rejects.toThrow(
        `DATA_DIR ${svc.dataDir} is in use by another fraud-scoring service`,
      );
      // The refused start touched nothing: the holder still scores and answers retries.
      expect((await postJson(`${svc.url}/v1/score`, txn('held-1'))).status).toBe(200);
      expect((await postJson(`${svc.url}/v1/score`, txn('held-1'))).status).toBe(200);
    } finally {
      await svc.close();
    }
    // Released on close: the next service starts.
    const next = await startTestService({ DATA_DIR: svc.dataDir, MODEL_REGISTRY_DIR: svc.registryDir, DATA_DIR_LOCK_WAIT_MS: '0' });
    await next.close();
  });

  it('across processes: a killed holder frees the directory, and its successor knows every stored id (retry replayed, other body 409)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lock-kill-'));
    const env = { DATA_DIR: dataDir, MODEL_REGISTRY_DIR: copyRegistry(), DECISION_LOG_FLUSH_MS: '5' };
    const first = await spawnService(env);
    const scored = [];
    for (let i = 0; i < 20; i++) scored.push(await postJson(`${first.url}/v1/score`, txn(`kill-${i}`, 1000 + i)));
    await sleep(300); // committed shortly after (5 ms batches)

    // While it runs, a second process is refused within its wait.
    await expect(spawnService({ ...env, DATA_DIR_LOCK_WAIT_MS: '200' })).rejects.toThrow(`DATA_DIR ${dataDir} is in use by another fraud-scoring service`);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const second = await spawnService({ ...env, DATA_DIR_LOCK_WAIT_MS: '0' });
    try {
      for (let i = 0; i < 20; i++) {
        // Known ids are looked up in SQLite: other body → 409, same body → the stored answer.
        expect((await postJson(`${second.url}/v1/score`, txn(`kill-${i}`, 5))).status).toBe(409);
        expect(await postJson(`${second.url}/v1/score`, txn(`kill-${i}`, 1000 + i))).toEqual(scored[i]);
      }
      expect((await postJson(`${second.url}/v1/score`, txn('kill-new'))).status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('a restart that overlaps the old process waits for its drain instead of failing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lock-wait-'));
    const env = { DATA_DIR: dataDir, MODEL_REGISTRY_DIR: copyRegistry() };
    const first = await spawnService(env);
    expect((await postJson(`${first.url}/v1/score`, txn('wait-1'))).status).toBe(200);
    const starting = spawnService({ ...env, DATA_DIR_LOCK_WAIT_MS: '20000' });
    await sleep(500);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await starting;
    try {
      expect((await postJson(`${second.url}/v1/score`, txn('wait-1', 1))).status).toBe(409);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
