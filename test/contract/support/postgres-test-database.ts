import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Pool } from 'pg';

/** The test database: `TEST_DATABASE_URL`, else the local trust-auth server's `test` database. */
export function postgresTestUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

// Probes in a child process, because jest registers suites synchronously and a skip must be decided then.
const PROBE = `
const { Client } = require('pg');
const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(
  () => process.exit(0),
  (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });
`;

/**
 * Whether the test PostgreSQL server answers. When it does not, prints one loud warning and
 * returns false (the caller skips its suites), except under `CI=true`, where it throws: a skipped
 * database suite in CI is a failure.
 */
export function postgresAvailable(url: string = postgresTestUrl()): boolean {
  const probe = spawnSync(process.execPath, ['-e', PROBE, url], { cwd: resolve(__dirname, '../../..'), encoding: 'utf8', timeout: 10_000 });
  if (probe.status === 0) return true;
  const why = (probe.stderr || probe.error?.message || `exit ${String(probe.status)}`).trim();
  const message = `PostgreSQL at ${url} is unreachable (${why}): PostgreSQL contract tests SKIPPED (set TEST_DATABASE_URL)`;
  if (process.env.CI === 'true') throw new Error(`${message}; under CI=true this is a failure`);
  console.warn(`\n!!! ${message}\n`);
  return false;
}

/** A fresh schema name no other test (or parallel worker) uses. */
export function testSchemaName(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it (ignores a schema that does not exist). */
export async function dropTestSchema(url: string, schema: string): Promise<void> {
  if (!/^test_[0-9a-f]{12}$/.test(schema)) throw new RangeError(`refusing to drop non-test schema "${schema}"`);
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}
