import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config';
import { REPLAY_EVENT_TIMES } from '../../src/config/replay-event-times';
import { startService, type RunningService } from '../../src/main';
import type { ProfileStore } from '../../src/store/profile-store';
import type { Tracing } from '../../src/telemetry/tracing';
import { TEST_SERVICE_THREADS } from './built-scripts';

/** The committed registry, copied so tests can promote and break models freely. */
export function copyRegistry(): string {
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  cpSync(join(__dirname, '../../models'), dir, { recursive: true });
  return dir;
}

export interface TestService extends RunningService {
  readonly registryDir: string;
  readonly dataDir: string;
  /** Log lines written (ECS JSON, parsed). */
  readonly logs: Record<string, unknown>[];
}

/**
 * Starts the real service on an ephemeral port with temp data and registry directories. Tests post
 * historical (2018) events, so events of any age are accepted unless `env` sets EVENT_MAX_AGE_S;
 * `clock` (epoch ms) is what event times are checked against (default: the real one).
 * Authentication is off unless `env` sets AUTH (the auth tests do; the rest test other things).
 * The decision log is written by the built writer thread, as in production; decision events are
 * written to the test's logger (see `TEST_SERVICE_THREADS`).
 */
export async function startTestService(env: Record<string, string> = {}, store?: ProfileStore, tracing?: Tracing, clock?: () => number): Promise<TestService> {
  const registryDir = env.MODEL_REGISTRY_DIR ?? copyRegistry();
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'data-'));
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: env.LOG_LEVEL ?? 'info' },
    {
      write(line: string) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MODEL_REGISTRY_DIR: registryDir, DATA_DIR: dataDir, MODEL_POLL_INTERVAL_MS: '200', AUTH: 'off', ...REPLAY_EVENT_TIMES, ...env });
  const service = await startService(config, { logger, threads: TEST_SERVICE_THREADS, ...(store === undefined ? {} : { store }), ...(tracing === undefined ? {} : { tracing }), ...(clock === undefined ? {} : { clock }) });
  return Object.assign(Object.create(null) as object, service, { registryDir, dataDir, logs }) as TestService;
}

/** POSTs JSON and returns status and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}
