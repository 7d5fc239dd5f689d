import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { bestConnections } from '../../src/bench/saturation-probe';
import { postgresAvailable, postgresTestUrl } from '../contract/support/postgres-test-database';
import { redisAvailable, redisTestUrl } from '../contract/support/profile-redis-harness';
import { SERVICE_NODE_FLAGS } from '../../src/config/node-flags';

const FRAUDCTL = join(__dirname, '../../dist/src/cli/fraudctl.js');
const run = promisify(execFile);

interface Step {
  rate: number | null;
  connections: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  errors: number;
  non2xx: number;
  requests: number;
  throughputRps: number;
  serverCpuUsPerRequest: number | null;
  serverMainThreadCpuUsPerRequest: number | null;
}

// A smoke run, not a measurement: a tiny world, tiny rates, one second per step. It only proves
// the benchmark still runs end to end and reports what the issue promises; no thresholds.
describe('fraudctl bench (smoke)', () => {
  let cache: string;
  beforeAll(() => {
    if (!existsSync(FRAUDCTL)) throw new Error(`${FRAUDCTL} is missing: run \`npm run build\` first`);
    cache = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('prints one JSON object with baseline, service and ratio, and no errors at any step', async () => {
    const args = ['bench', '--json', '--duration', '1', '--rates', '20,50', '--warmup', '1', '--connections', '1,2', '--probe', '1', '--rounds', '2'];
    args.push('--customers', '200', '--terminals', '400', '--history-days', '14', '--cache', cache);
    const { stdout } = await run(process.execPath, [FRAUDCTL, ...args], { cwd: join(__dirname, '../..'), maxBuffer: 16 * 1024 * 1024 });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] as string) as {
      baseline: { saturationRps: number; saturationConnections: number; probe: { connections: number; rps: number }[]; saturation: Step; fixed: Step[] };
      service: { saturationRps: number; saturationConnections: number; probe: { connections: number; rps: number }[]; saturation: Step & { server: Record<string, unknown> }; fixed: (Step & { server: { stages: Record<string, { count: number }>; scoring: { count: number; p99Ms: number }; commitTimeouts: number } })[] };
      ratio: number;
      saturationRounds: { baselineRps: number; serviceRps: number; ratio: number; serviceFirst: boolean }[];
      machine: { cpus: number; node: string };
      settings: { saturationConnections: number[]; nodeFlags: string[] };
    };
    expect(report.machine.node).toBe(process.version);
    for (const target of [report.baseline, report.service]) {
      expect(target.saturationRps).toBeGreaterThan(0);
      expect(target.fixed.map((s) => s.rate)).toEqual([20, 50]);
      for (const step of [...target.fixed, target.saturation]) {
        expect(step).toEqual(expect.objectContaining({ p50Ms: expect.any(Number), p99Ms: expect.any(Number), p999Ms: expect.any(Number) }));
        expect(step.requests).toBeGreaterThan(0);
        expect(step.errors).toBe(0);
        expect(step.non2xx).toBe(0);
        if (process.platform === 'linux') {
          // The main thread's share is part of the whole process's, give or take the two counts'
          // 10 ms ticks, which over a smoke step's few requests are hundreds of µs each.
          const tick = 10_000 / step.requests;
          expect(step.serverMainThreadCpuUsPerRequest).toBeGreaterThanOrEqual(0);
          expect(step.serverMainThreadCpuUsPerRequest).toBeLessThanOrEqual((step.serverCpuUsPerRequest as number) + 2 * tick + 1);
        }
      }
    }
    expect(report.service.saturation.rate).toBeNull();
    // Each server was probed at both counts and ran its saturation rounds at its best one.
    expect(report.settings.saturationConnections).toEqual([1, 2]);
    expect(report.settings.nodeFlags).toEqual([...SERVICE_NODE_FLAGS]);
    for (const target of [report.baseline, report.service]) {
      expect(target.probe.map((p) => p.connections)).toEqual([1, 2]);
      for (const p of target.probe) expect(p.rps).toBeGreaterThan(0);
      expect(target.saturationConnections).toBe(bestConnections(target.probe));
      expect(target.saturation.connections).toBe(target.saturationConnections);
    }
    for (const step of report.service.fixed) {
      expect(Object.keys(step.server.stages)).toEqual(['validate', 'store', 'features', 'model', 'decision', 'commit']);
      // Every answered request of the step was timed server-side (plus the few still in flight when
      // autocannon stopped counting, at most one per connection); answers are durable, so each
      // waited for its commit.
      for (const stage of ['model', 'commit'] as const) {
        expect(step.server.stages[stage]?.count).toBeGreaterThanOrEqual(step.requests);
        expect(step.server.stages[stage]?.count).toBeLessThanOrEqual(step.requests + step.connections);
      }
      expect(step.server.scoring.p99Ms).toBeGreaterThan(0);
      // A counter delta over the step: answers whose record missed its commit deadline (none is negative).
      expect(Number.isInteger(step.server.commitTimeouts) && step.server.commitTimeouts >= 0).toBe(true);
    }
    expect(report.ratio).toBeCloseTo(report.service.saturationRps / report.baseline.saturationRps, 2);
    // Two rounds, the second with the service first; the reported saturation is the lower-ratio one's.
    expect(report.saturationRounds.map((r) => r.serviceFirst)).toEqual([false, true]);
    for (const r of report.saturationRounds) expect(r.ratio).toBeCloseTo(r.serviceRps / r.baselineRps, 2);
    const lower = [...report.saturationRounds].sort((a, b) => a.ratio - b.ratio)[0];
    expect(report.ratio).toBe(lower?.ratio);
    expect([report.baseline.saturationRps, report.service.saturationRps]).toEqual([lower?.baselineRps, lower?.serviceRps]);
  }, 180_000);

  it('runs the production topology on Redis and PostgreSQL against its baseline, and cleans up after itself', async () => {
    const databaseUrl = postgresTestUrl();
    const redisUrl = redisTestUrl();
    if (!postgresAvailable(databaseUrl) || !redisAvailable(redisUrl)) return;
    const args = ['bench', '--json', '--profile-store', 'redis', '--decision-log', 'postgres', '--duration', '1', '--rates', '20', '--warmup', '1', '--connections', '2', '--rounds', '1'];
    args.push('--customers', '200', '--terminals', '400', '--history-days', '14', '--cache', cache);
    const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
    const { stdout } = await run(process.execPath, [FRAUDCTL, ...args], { cwd: join(__dirname, '../..'), env, maxBuffer: 16 * 1024 * 1024 });
    const report = JSON.parse(stdout.trim()) as { settings: { topology: string }; baseline: { fixed: Step[]; saturation: Step }; service: { fixed: Step[]; saturation: Step }; ratio: number };
    expect(report.settings.topology).toBe('redis+postgres');
    for (const target of [report.baseline, report.service]) {
      for (const step of [...target.fixed, target.saturation]) {
        expect(step.requests).toBeGreaterThan(0);
        expect([step.errors, step.non2xx]).toEqual([0, 0]);
      }
    }
    expect(report.ratio).toBeGreaterThan(0);
    // Its Redis prefixes and PostgreSQL schemas are gone.
    const redis = new Redis(redisUrl);
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    try {
      expect((await redis.scan('0', 'MATCH', 'bench:*', 'COUNT', 100_000))[1]).toEqual([]);
      expect((await pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'")).rows).toEqual([]);
    } finally {
      await redis.quit();
      await pool.end();
    }
  }, 180_000);
});
