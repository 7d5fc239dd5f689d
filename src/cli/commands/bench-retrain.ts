import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { formatRfc3339 } from '../../../features';
import { writeServedHistory } from '../../bench/served-history';
import { projectRoot } from '../../config/project-root';
import { ensurePostgresSchema, quoteSchema } from '../../records/postgres/postgres-schema';
import { featureSpecHash } from '../../model/feature-spec-hash';
import { simulate } from '../../sim';
import { intOption, parseOptions } from '../args';
import { CommandExit, printJson, UsageError, type Command } from '../command';
import type { OptionSpecs } from '../options';

const OPTIONS = {
  decisions: { type: 'string', value: 'N', description: 'about this many simulated decisions (the handbook\'s world, customers scaled)', default: 2_000_000 },
  seed: { type: 'string', value: 'N', description: 'seed of the simulated world', default: 0 },
  json: { type: 'boolean', description: 'print {decisions, labels, writeSeconds, retrainSeconds, exitCode, peakRssMiB, parity, rows, promoted, reason} on stdout' },
} as const satisfies OptionSpecs;
const DAY = 86_400;
/** Transactions the default simulated world (5,000 customers, 183 days) makes: customers scale from it. */
const DEFAULT_WORLD_TRANSACTIONS = 1_775_116;

/** Runs `fraudctl retrain --json` in its own process; resolves with its exit code and output. */
function runRetrain(fraudctl: string, env: Record<string, string>, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fraudctl, 'retrain', '--json', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/**
 * `fraudctl bench-retrain`: how retraining scales. Simulates about `--decisions` transactions
 * (the handbook's world, customers scaled), writes them into a fresh PostgreSQL schema as one
 * service would have served them (vectors, versions, chargeback labels; see served-history.ts),
 * runs `fraudctl retrain` on them in its own process and reports its time and peak resident memory
 * (the acceptance bound: under 1 GiB for 2,000,000 decisions). The schema is dropped after.
 */
export const benchRetrainCommand: Command = {
  name: 'bench-retrain',
  summary: 'retraining at scale: fill PostgreSQL with a served history, retrain, report time and peak memory',
  usage: 'bench-retrain [options]',
  options: OPTIONS,
  notes: ['DATABASE_URL: the PostgreSQL to fill and retrain from (a fresh schema, dropped after).'],
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const json = values.json === true;
    const target = intOption('decisions', values.decisions, OPTIONS.decisions.default, 1_000);
    const databaseUrl = io.env.DATABASE_URL;
    if (databaseUrl === undefined || databaseUrl === '') throw new UsageError('bench-retrain needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
    const say = (s: string) => {
      if (!json) io.stderr.write(`bench-retrain: ${s}\n`);
    };
    const customers = Math.max(20, Math.round((5_000 * target) / DEFAULT_WORLD_TRANSACTIONS));
    say(`simulating ${customers} customers over 183 days (about ${target} transactions)`);
    const started = Date.now();
    const sim = simulate({ seed: intOption('seed', values.seed, OPTIONS.seed.default, 0), customers, terminals: 10_000, days: 183 });
    const schema = `bench_retrain_${randomBytes(4).toString('hex')}`;
    const pool = new Pool({ connectionString: databaseUrl, max: 2 });
    const registry = mkdtempSync(join(tmpdir(), 'bench-retrain-registry-'));
    try {
      await ensurePostgresSchema(pool, schema);
      let last = 0;
      const history = await writeServedHistory(pool, schema, sim, featureSpecHash(), (n) => {
        if (!json && io.isTTY && n - last >= 100_000) {
          last = n;
          io.stderr.write(`\rbench-retrain: ${n} decisions written`);
        }
      });
      const writtenSeconds = (Date.now() - started) / 1000;
      say(`${io.isTTY ? '\n' : ''}wrote ${history.decisions} decisions and ${history.labels} labels in ${writtenSeconds.toFixed(0)} s; retraining`);
      cpSync(join(projectRoot(), 'models'), registry, { recursive: true });
      const asOf = formatRfc3339(Math.floor(history.lastEventTime / DAY + 1) * DAY);
      const retrainStarted = Date.now();
      const r = await runRetrain(
        join(projectRoot(), 'dist', 'src', 'cli', 'fraudctl.js'),
        { DECISION_LOG: 'postgres', DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, MODEL_REGISTRY_DIR: registry, DATA_DIR: registry },
        ['--as-of', asOf, '--maturity-days', '7', '--holdout-days', '7', '--validation-days', '7', '--lookback-days', '60'],
      );
      const retrainSeconds = (Date.now() - retrainStarted) / 1000;
      // A refusal prints {"error"} on stdout (with --json); a gate refusal its full result.
      const parsed = r.out === '' ? null : (JSON.parse(r.out) as { error?: unknown });
      if (r.code !== 0 && (parsed === null || parsed.error !== undefined)) throw new CommandExit(`retrain failed (exit ${r.code}): ${r.err.trim()}`, 'internal');
      const result = parsed as { peakRssMiB: number; parity: { checked: number; mismatches: number }; rows?: Record<string, number>; promoted: boolean; reason: string };
      const report = { decisions: history.decisions, labels: history.labels, writeSeconds: writtenSeconds, retrainSeconds, exitCode: r.code, peakRssMiB: result.peakRssMiB, parity: result.parity, rows: result.rows ?? null, promoted: result.promoted, reason: result.reason };
      if (json) printJson(io, report);
      else {
        io.stdout.write(
          `retrain on ${history.decisions} decisions (${history.labels} labels): ${retrainSeconds.toFixed(0)} s, peak RSS ${result.peakRssMiB} MiB; ` +
            `parity ${result.parity.mismatches}/${result.parity.checked} mismatches; rows ${JSON.stringify(result.rows ?? {})}; ${result.reason}\n`,
        );
      }
      return r.code;
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`).catch(() => undefined);
      await pool.end();
      rmSync(registry, { recursive: true, force: true });
    }
  },
};
