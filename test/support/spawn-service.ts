import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPLAY_EVENT_TIMES } from '../../src/config/replay-event-times';

export const FRAUDCTL = join(__dirname, '../../dist/src/cli/fraudctl.js');

export interface SpawnedService {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  readonly output: () => string;
}

/**
 * Starts `fraudctl serve` from the build (`npm test` builds first) in a child process and resolves
 * once it logs its URL. Tests post historical (2018) events, so events of any age are accepted
 * unless `env` sets EVENT_MAX_AGE_S.
 */
export async function spawnService(env: Record<string, string>): Promise<SpawnedService> {
  if (!existsSync(FRAUDCTL)) throw new Error(`${FRAUDCTL} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [FRAUDCTL, 'serve'], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DECISION_EVENTS: 'off', AUTH: 'off', ...REPLAY_EVENT_TIMES, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), 30_000);
    const onData = () => {
      const m = /listening on (http:\/\/[0-9.:[\]]+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}) before listening:\n${out}`));
    });
  });
  return { child, url, exited, output: () => out };
}
