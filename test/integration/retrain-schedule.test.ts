import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRegistry } from '../support/service';
import { FRAUDCTL } from '../support/spawn-service';

describe('fraudctl retrain --schedule', () => {
  it('keeps running and retrains on the cron schedule until SIGTERM', async () => {
    const env = { ...process.env, DATA_DIR: mkdtempSync(join(tmpdir(), 'sched-')), MODEL_REGISTRY_DIR: copyRegistry() };
    // Every second; a DATA_DIR without a decision log makes each run end with a clear error, which is all this needs.
    const child = spawn(process.execPath, [FRAUDCTL, 'retrain', '--schedule', '* * * * * *', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 100 && (stderr.match(/retrain run failed/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/^retraining on schedule "\* \* \* \* \* \*"; next run \d{4}-/);
    expect((stderr.match(/retrain run failed: no decision log at \S+fraud\.db: set DATA_DIR to the service's data directory/g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses an invalid cron expression', async () => {
    const child = spawn(process.execPath, [FRAUDCTL, 'retrain', '--schedule', 'every tuesday'], { env: { ...process.env, DATA_DIR: mkdtempSync(join(tmpdir(), 'sched-')) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toContain('--schedule is not a valid cron expression');
  });
});
