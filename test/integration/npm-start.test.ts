import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPLAY_EVENT_TIMES } from '../../src/config/replay-event-times';

const ROOT = join(__dirname, '../..');

/** Whether something still answers on `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

/* What a newcomer and a process manager do: `npm start`, then SIGTERM to npm. The service must go with it. */
describe('npm start', () => {
  it('serves, and stops when npm is sent SIGTERM (no orphaned service left listening)', async () => {
    const env = { ...process.env, ...REPLAY_EVENT_TIMES, PORT: '0', HOST: '127.0.0.1', DATA_DIR: mkdtempSync(join(tmpdir(), 'npm-start-')), DECISION_EVENTS: 'off' };
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | string>((resolve) => npm.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not listen:\n${out}`)), 30_000);
      npm.stdout?.on('data', () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    npm.kill('SIGTERM');
    await exited;
    // An orphaned service would keep these pipes open (and this run alive): let go of them.
    npm.stdout?.destroy();
    npm.stderr?.destroy();
    // The service itself (not only npm) is gone: nothing answers on its port.
    const deadline = Date.now() + 10_000;
    while ((await answers(`${url}/healthz`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await answers(`${url}/healthz`)).toBe(false);
  }, 60_000);
});
