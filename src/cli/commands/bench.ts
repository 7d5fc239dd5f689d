import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_BENCH_WORLD } from '../../bench/bench-world';
import type { ProfileSummary } from '../../bench/cpu-profile-summary';
import { DEFAULT_CONNECTION_LADDER } from '../../bench/saturation-probe';
import { projectRoot } from '../../config/project-root';
import { builtScript, fraudctlScript } from '../built-script';
import { intOption, parseOptions } from '../args';
import { printJson, UsageError, type Command } from '../command';
import { REGISTRY_OPTION } from '../common-options';
import { requireRegistry } from '../inputs';
import type { OptionSpecs } from '../options';

const OPTIONS = {
  'profile-store': { type: 'string', value: 'memory|redis', description: 'the profile store: memory (embedded topology) or redis (production, REDIS_URL, default redis://127.0.0.1:6379)', default: 'memory' },
  'decision-log': { type: 'string', value: 'sqlite|postgres', description: 'the decision log: sqlite (embedded) or postgres (production, DATABASE_URL); goes with --profile-store', default: 'sqlite' },
  duration: { type: 'string', value: 'S', description: 'seconds per fixed-rate step', default: 10 },
  rates: { type: 'string', value: 'LIST', description: 'the fixed request rates, comma-separated requests per second', default: '500,1000,2000' },
  connections: {
    type: 'string',
    value: 'LIST',
    description: 'saturation connection counts to probe (one count is used as is, for both servers; the warm-up uses the largest)',
    default: DEFAULT_CONNECTION_LADDER.join(','),
  },
  probe: { type: 'string', value: 'S', description: 'seconds per probe step', default: 3 },
  rounds: { type: 'string', value: 'N', description: 'saturation rounds', default: 3 },
  'rate-connections': { type: 'string', value: 'N', description: 'most requests in flight in a fixed-rate step', default: 128 },
  warmup: { type: 'string', value: 'S', description: 'warm-up seconds', default: 5 },
  'decision-events': { type: 'string', value: 'on|off', description: 'the service\'s decision events', default: 'on' },
  auth: { type: 'string', value: 'on|off', description: 'the service authenticates every request (an API-key client with the score scope; the baseline gets the same header)', default: 'on' },
  'cpu-prof': { type: 'string', value: 'DIR', description: 'also write V8 CPU profiles of both servers here (created) and print their top self time', default: 'off' },
  registry: { ...REGISTRY_OPTION, description: 'the model registry the service serves', default: 'MODEL_REGISTRY_DIR, else the repository\'s models' },
  cache: { type: 'string', value: 'DIR', description: 'where the simulated history snapshot is kept between runs (created)', default: 'data/bench of the repository' },
  customers: { type: 'string', value: 'N', description: 'customers of the simulated world', default: DEFAULT_BENCH_WORLD.customers },
  terminals: { type: 'string', value: 'N', description: 'terminals of the simulated world', default: DEFAULT_BENCH_WORLD.terminals },
  'history-days': { type: 'string', value: 'N', description: 'days of history that seed the profile store', default: DEFAULT_BENCH_WORLD.historyDays },
  seed: { type: 'string', value: 'N', description: 'seed of the simulated world', default: DEFAULT_BENCH_WORLD.seed },
  json: { type: 'boolean', description: 'print the whole report as one JSON object on stdout' },
} as const satisfies OptionSpecs;

function parseRates(text: string | undefined): number[] {
  if (text === undefined) return parseRates(OPTIONS.rates.default);
  const rates = text.split(',').map((s) => s.trim());
  if (rates.length === 0 || rates.some((r) => !/^\d+$/.test(r) || Number(r) < 1)) throw new UsageError(`--rates must be a comma-separated list of integers >= 1, got "${text}"`);
  return rates.map(Number);
}

/**
 * `fraudctl bench`: the load benchmark (see src/bench/run-bench.ts and docs/performance.md).
 * `--json` prints the whole report as one object; otherwise progress and the table go to stderr
 * and stdout.
 */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'load-test the service against a bare node:http baseline (autocannon)',
  usage: 'bench [options]',
  options: OPTIONS,
  notes: ['See docs/performance.md for what the figures mean and how the load is shaped.'],
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    // Loaded here, not at the top: every fraudctl command (serve too) imports this file.
    const [{ formatBenchTable }, { summarizeCpuProfile }, { runBench }, { parseConnectionLadder }] = await Promise.all([
      import('../../bench/bench-table'),
      import('../../bench/cpu-profile-summary'),
      import('../../bench/run-bench'),
      import('../../bench/saturation-probe'),
    ]);
    const json = values.json === true;
    const profileStore = values['profile-store'] ?? OPTIONS['profile-store'].default;
    const decisionLog = values['decision-log'] ?? OPTIONS['decision-log'].default;
    const production = profileStore === 'redis' && decisionLog === 'postgres';
    if (!production && !(profileStore === 'memory' && decisionLog === 'sqlite')) {
      throw new UsageError(`bench runs the embedded topology (--profile-store memory --decision-log sqlite) or the production one (redis and postgres), got ${profileStore} and ${decisionLog}`);
    }
    const databaseUrl = io.env.DATABASE_URL;
    if (production && (databaseUrl === undefined || databaseUrl === '')) throw new UsageError('--decision-log postgres needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
    const events = values['decision-events'] ?? OPTIONS['decision-events'].default;
    if (events !== 'on' && events !== 'off') throw new UsageError(`--decision-events must be on or off, got "${events}"`);
    const auth = values.auth ?? OPTIONS.auth.default;
    if (auth !== 'on' && auth !== 'off') throw new UsageError(`--auth must be on or off, got "${auth}"`);
    const rateConnections = intOption('rate-connections', values['rate-connections'], OPTIONS['rate-connections'].default, 1);
    const ladder = values.connections === undefined ? DEFAULT_CONNECTION_LADDER : parseConnectionLadder(values.connections);
    if (ladder === null) throw new UsageError(`--connections must be a positive integer or a comma-separated list of distinct ones, got "${values.connections}"`);
    const cpuProfDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
    if (cpuProfDir !== undefined) mkdirSync(cpuProfDir, { recursive: true });
    const profilesBefore = new Set(cpuProfDir === undefined ? [] : readdirSync(cpuProfDir));
    const root = projectRoot();
    // The repository's committed champion unless told otherwise, wherever the command runs from.
    const registryDir = requireRegistry(resolve(values.registry ?? io.env.MODEL_REGISTRY_DIR ?? join(root, 'models')));
    const report = await runBench({
      durationSeconds: intOption('duration', values.duration, OPTIONS.duration.default, 1),
      rates: parseRates(values.rates),
      saturationConnections: ladder,
      probeSeconds: intOption('probe', values.probe, OPTIONS.probe.default, 1),
      saturationRounds: intOption('rounds', values.rounds, OPTIONS.rounds.default, 1),
      // Fixed-rate steps send steady arrivals with at most this many in flight (see docs/performance.md, "How the load is shaped").
      fixedConnections: () => rateConnections,
      warmupSeconds: intOption('warmup', values.warmup, OPTIONS.warmup.default, 0),
      world: {
        seed: intOption('seed', values.seed, DEFAULT_BENCH_WORLD.seed),
        customers: intOption('customers', values.customers, DEFAULT_BENCH_WORLD.customers, 1),
        terminals: intOption('terminals', values.terminals, DEFAULT_BENCH_WORLD.terminals, 1),
        historyDays: intOption('history-days', values['history-days'], DEFAULT_BENCH_WORLD.historyDays, 1),
      },
      cacheDir: resolve(values.cache ?? join(root, 'data', 'bench')),
      fraudctlScript: fraudctlScript(),
      baselineScript: builtScript(join(__dirname, '..', '..', 'bench', 'baseline-main.js'), join('src', 'bench', 'baseline-main.js')),
      registryDir,
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
