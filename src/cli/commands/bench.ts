import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProfileSummary } from '../../bench/cpu-profile-summary';
import { projectRoot } from '../../config/project-root';
import { intOption, parseOptions } from '../args';
import { printJson, UsageError, type Command } from '../command';

const USAGE =
  'bench [--json] [--profile-store memory|redis --decision-log sqlite|postgres] [--duration S] [--rates LIST] [--connections LIST] [--probe S] [--rounds N] ' +
  '[--rate-connections N] [--warmup S] [--decision-events on|off] [--auth on|off] [--cpu-prof DIR] [--registry DIR] [--cache DIR] [--customers N] [--terminals N] [--history-days N] [--seed N]' +
  '   (redis/postgres: REDIS_URL, default redis://127.0.0.1:6379, and DATABASE_URL)';

function parseRates(text: string | undefined): number[] {
  if (text === undefined) return [500, 1000, 2000];
  const rates = text.split(',').map((s) => s.trim());
  if (rates.length === 0 || rates.some((r) => !/^\d+$/.test(r) || Number(r) < 1)) throw new UsageError(`--rates must be a comma-separated list of integers >= 1, got "${text}"`);
  return rates.map(Number);
}

/**
 * A built script of this package: the compiled sibling when running from `dist/`, else the one in
 * `<root>/dist/` (running from sources). Throws when neither exists.
 */
function builtScript(fromHere: string, fromRoot: string): string {
  if (existsSync(fromHere)) return fromHere;
  const inDist = join(projectRoot(), 'dist', fromRoot);
  if (existsSync(inDist)) return inDist;
  throw new Error(`${inDist} is missing: run \`npm run build\` first`);
}

/**
 * `fraudctl bench`: the load benchmark (see src/bench/run-bench.ts and docs/performance.md).
 * `--json` prints the whole report as one object; otherwise progress and the table go to stderr
 * and stdout.
 */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'load-test the service against a bare node:http baseline (autocannon)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseOptions(args, {
      json: { type: 'boolean' },
      duration: { type: 'string' },
      rates: { type: 'string' },
      connections: { type: 'string' },
      probe: { type: 'string' },
      rounds: { type: 'string' },
      'rate-connections': { type: 'string' },
      warmup: { type: 'string' },
      'decision-events': { type: 'string' },
      auth: { type: 'string' },
      'cpu-prof': { type: 'string' },
      registry: { type: 'string' },
      cache: { type: 'string' },
      customers: { type: 'string' },
      terminals: { type: 'string' },
      'history-days': { type: 'string' },
      seed: { type: 'string' },
      'profile-store': { type: 'string' },
      'decision-log': { type: 'string' },
    });
    // Loaded here, not at the top: every fraudctl command (serve too) imports this file.
    const [{ DEFAULT_BENCH_WORLD }, { formatBenchTable }, { summarizeCpuProfile }, { runBench }, { DEFAULT_CONNECTION_LADDER, parseConnectionLadder }] = await Promise.all([
      import('../../bench/bench-world'),
      import('../../bench/bench-table'),
      import('../../bench/cpu-profile-summary'),
      import('../../bench/run-bench'),
      import('../../bench/saturation-probe'),
    ]);
    const json = values.json === true;
    const profileStore = values['profile-store'] ?? 'memory';
    const decisionLog = values['decision-log'] ?? 'sqlite';
    const production = profileStore === 'redis' && decisionLog === 'postgres';
    if (!production && !(profileStore === 'memory' && decisionLog === 'sqlite')) {
      throw new UsageError(`bench runs the embedded topology (--profile-store memory --decision-log sqlite) or the production one (redis and postgres), got ${profileStore} and ${decisionLog}`);
    }
    const databaseUrl = io.env.DATABASE_URL;
    if (production && (databaseUrl === undefined || databaseUrl === '')) throw new UsageError('--decision-log postgres needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
    const events = values['decision-events'] ?? 'on';
    if (events !== 'on' && events !== 'off') throw new UsageError(`--decision-events must be on or off, got "${events}"`);
    const auth = values.auth ?? 'on';
    if (auth !== 'on' && auth !== 'off') throw new UsageError(`--auth must be on or off, got "${auth}"`);
    const rateConnections = intOption('rate-connections', values['rate-connections'], 0, 0);
    const ladder = values.connections === undefined ? DEFAULT_CONNECTION_LADDER : parseConnectionLadder(values.connections);
    if (ladder === null) throw new UsageError(`--connections must be a positive integer or a comma-separated list of distinct ones, got "${values.connections}"`);
    const cpuProfDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
    if (cpuProfDir !== undefined) mkdirSync(cpuProfDir, { recursive: true });
    const profilesBefore = new Set(cpuProfDir === undefined ? [] : readdirSync(cpuProfDir));
    const root = projectRoot();
    const report = await runBench({
      durationSeconds: intOption('duration', values.duration, 10, 1),
      rates: parseRates(values.rates),
      saturationConnections: ladder,
      probeSeconds: intOption('probe', values.probe, 3, 1),
      saturationRounds: intOption('rounds', values.rounds, 3, 1),
      // Fixed-rate steps send steady arrivals with at most this many in flight (see docs/performance.md, "How the load is shaped").
      fixedConnections: () => (rateConnections > 0 ? rateConnections : 128),
      warmupSeconds: intOption('warmup', values.warmup, 5, 0),
      world: {
        seed: intOption('seed', values.seed, DEFAULT_BENCH_WORLD.seed),
        customers: intOption('customers', values.customers, DEFAULT_BENCH_WORLD.customers, 1),
        terminals: intOption('terminals', values.terminals, DEFAULT_BENCH_WORLD.terminals, 1),
        historyDays: intOption('history-days', values['history-days'], DEFAULT_BENCH_WORLD.historyDays, 1),
      },
      cacheDir: resolve(values.cache ?? join(root, 'data', 'bench')),
      fraudctlScript: builtScript(join(__dirname, '..', 'fraudctl.js'), join('src', 'cli', 'fraudctl.js')),
      baselineScript: builtScript(join(__dirname, '..', '..', 'bench', 'baseline-main.js'), join('src', 'bench', 'baseline-main.js')),
      // The repository's committed champion unless told otherwise, wherever the command runs from.
      registryDir: resolve(values.registry ?? io.env.MODEL_REGISTRY_DIR ?? join(root, 'models')),
      decisionEvents: events,
      auth,
      topology: production ? 'redis+postgres' : 'embedded',
      production: production ? { redisUrl: io.env.REDIS_URL ?? 'redis://127.0.0.1:6379', databaseUrl: databaseUrl as string } : null,
      ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
      onStage: (s) => {
        if (!json) io.stderr.write(`bench: ${s}\n`);
      },
    });
    let profiles: (ProfileSummary & { process: string })[] = [];
    if (cpuProfDir !== undefined) {
      // node names a profile CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
      const processOf = (f: string) => {
        const [pid, thread] = f.split('.').slice(3, 5);
        const name = pid === String(report.service.pid) ? 'service' : pid === String(report.baseline.pid) ? 'baseline' : 'other';
        return thread === '0' ? name : `${name} (worker thread ${thread})`;
      };
      profiles = readdirSync(cpuProfDir)
        .filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f))
        .map((f) => ({ process: processOf(f), ...summarizeCpuProfile(join(cpuProfDir, f), root) }));
    }
    if (json) {
      printJson(io, profiles.length === 0 ? report : { ...report, cpuProfiles: profiles });
      return 0;
    }
    io.stdout.write(formatBenchTable(report));
    for (const p of profiles) {
      io.stdout.write(`\nCPU profile of the ${p.process}: ${p.file} (busy ${p.busyMs} ms), top self time:\n`);
      for (const e of p.top) io.stdout.write(`  ${e.selfPercent.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(7)} ms  ${e.function}\n`);
    }
    return 0;
  },
};
