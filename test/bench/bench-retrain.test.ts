import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { postgresAvailable, postgresTestUrl } from '../contract/support/postgres-test-database';

const FRAUDCTL = join(__dirname, '../../dist/src/cli/fraudctl.js');
const run = promisify(execFile);
const url = postgresTestUrl();

// A smoke run of retraining at scale (the 2,000,000-decision figure is in docs/performance.md):
// a served history written into PostgreSQL, retrained in its own process, its peak memory reported.
(postgresAvailable(url) ? describe : describe.skip)('fraudctl bench-retrain (smoke)', () => {
  it('fills a schema with a served history, retrains on it with parity 0 and reports peak memory, then drops the schema', async () => {
    const { stdout } = await run(process.execPath, [FRAUDCTL, 'bench-retrain', '--json', '--decisions', '30000'], { env: { ...process.env, DATABASE_URL: url }, maxBuffer: 4 * 1024 * 1024 });
    const r = JSON.parse(stdout) as { decisions: number; labels: number; exitCode: number; peakRssMiB: number; parity: { checked: number; mismatches: number }; rows: { train: number } };
    expect(r.exitCode).toBe(0);
    expect(r.decisions).toBeGreaterThan(25_000);
    expect(r.labels).toBeGreaterThan(100);
    expect(r.parity.mismatches).toBe(0);
    expect(r.parity.checked).toBeGreaterThan(10_000);
    expect(r.rows.train).toBeGreaterThan(5_000);
    expect(r.peakRssMiB).toBeGreaterThan(50);
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      expect((await pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_retrain\\_%'")).rows).toEqual([]);
    } finally {
      await pool.end();
    }
  }, 300_000);
});
