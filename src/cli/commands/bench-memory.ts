import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { MemoryRunResult, MemoryRunSpec } from '../../bench/memory-workload';
import { intOption, parseOptions } from '../args';
import { CommandExit, printJson, type CliIO, type Command } from '../command';
import type { OptionSpecs } from '../options';
import { createProgress } from '../progress';

const OPTIONS = {
  users: { type: 'string', value: 'N', description: 'distinct users pushed through the store', default: 1_000_000 },
  'max-profiles': { type: 'string', value: 'N', description: 'MAX_PROFILES of the bounded run', default: 100_000 },
  merchants: { type: 'string', value: 'N', description: 'merchants the users pay', default: 10_000 },
  json: { type: 'boolean', description: 'print {users, merchants, maxProfiles, unbounded, bounded, tombstones} on stdout' },
} as const satisfies OptionSpecs;
const MIB = 2 ** 20;

/** Runs one spec in a fresh `node --expose-gc` process (its own heap and RSS); resolves with its result. */
function runChild(spec: MemoryRunSpec, io: CliIO, label: string, quiet: boolean): Promise<MemoryRunResult> {
  const progress = createProgress(io, label, spec.users, quiet);
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, '..', '..', 'bench', 'memory-workload-child.js'), [JSON.stringify(spec)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let result: MemoryRunResult | null = null;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m: { progress?: number; result?: MemoryRunResult }) => {
      if (m.progress !== undefined) progress.update(m.progress);
      if (m.result !== undefined) result = m.result;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      progress.stop();
      if (result !== null) resolve(result);
      else reject(new CommandExit(`bench-memory: the ${label} run failed (exit ${String(code)}): ${stderr.trim()}`, 'internal'));
    });
  });
}

const mib = (bytes: number) => (bytes / MIB).toFixed(0);
const thousands = (n: number) => n.toLocaleString('en-US');

function row(name: string, r: MemoryRunResult): string {
  const evicted = r.stats.evicted.user.capacity + r.stats.evicted.merchant.capacity;
  return [
    name.padEnd(16),
    thousands(r.entries.profiles).padStart(10),
    thousands(r.entries.tombstones).padStart(11),
    thousands(evicted).padStart(10),
    `${mib(r.before.rss)} -> ${mib(r.after.rss)}`.padStart(14),
    `${mib(r.before.heapUsed)} -> ${mib(r.after.heapUsed)}`.padStart(13),
    mib(r.after.arrayBuffers).padStart(8),
    (r.rssBytesPerEntry === null ? '-' : thousands(r.rssBytesPerEntry)).padStart(11),
    thousands(r.heapBytesPerEntry).padStart(10),
    r.seconds.toFixed(1).padStart(6),
    r.slowestStepMs.toFixed(1).padStart(10),
  ].join(' ');
}

/**
 * `fraudctl bench-memory`: what the embedded memory store costs. Pushes `--users` distinct users
 * (each paying one of `--merchants`) through it three times, each in a process of its own: without
 * a bound, with MAX_PROFILES = `--max-profiles`, and as tombstones alone (the versions evicted
 * entities leave). Reports RSS and heap before and after (after a full GC), and bytes per entry.
 * `--json` prints `{ users, merchants, maxProfiles, unbounded, bounded, tombstones }`.
 */
export const benchMemoryCommand: Command = {
  name: 'bench-memory',
  summary: 'memory the embedded profile store holds per profile and per tombstone, with and without MAX_PROFILES',
  usage: 'bench-memory [options]',
  options: OPTIONS,
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const json = values.json === true;
    const users = intOption('users', values.users, OPTIONS.users.default, 1);
    const merchants = intOption('merchants', values.merchants, OPTIONS.merchants.default, 1);
    const maxProfiles = intOption('max-profiles', values['max-profiles'], OPTIONS['max-profiles'].default, 2);
    const unbounded = await runChild({ kind: 'profiles', users, merchants, maxProfiles: null }, io, 'no bound   ', json);
    const bounded = await runChild({ kind: 'profiles', users, merchants, maxProfiles }, io, `cap ${maxProfiles}`, json);
    const tombstones = await runChild({ kind: 'tombstones', users, merchants, maxProfiles: null }, io, 'tombstones ', json);
    if (json) {
      printJson(io, { users, merchants, maxProfiles, unbounded, bounded, tombstones });
      return 0;
    }
    io.stdout.write(
      `${thousands(users)} distinct users, ${thousands(merchants)} merchants. RSS, heap and array buffers in MiB after a full GC; per entry: per profile held (per tombstone in the last run;\n` +
        `heap: per profile or tombstone held). A bounded run's RSS keeps memory its evictions freed, for reuse.\n` +
        `${'run'.padEnd(16)} ${'profiles'.padStart(10)} ${'tombstones'.padStart(11)} ${'evicted'.padStart(10)} ${'RSS'.padStart(14)} ${'heap'.padStart(13)} ${'buffers'.padStart(8)} ${'RSS B/entry'.padStart(11)} ${'heap B/e'.padStart(10)} ${'s'.padStart(6)} ${'slowest ms'.padStart(10)}\n` +
        `${row('no bound', unbounded)}\n${row(`MAX_PROFILES ${thousands(maxProfiles)}`, bounded)}\n${row('tombstones only', tombstones)}\n`,
    );
    return 0;
  },
};
