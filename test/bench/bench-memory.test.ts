import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const FRAUDCTL = join(__dirname, '../../dist/src/cli/fraudctl.js');
const run = promisify(execFile);

interface Run {
  spec: { kind: string; users: number; maxProfiles: number | null };
  entries: { profiles: number; tombstones: number };
  stats: { evicted: Record<'user' | 'merchant', { idle: number; capacity: number }> };
  before: { rss: number; heapUsed: number };
  after: { rss: number; heapUsed: number };
  rssBytesPerEntry: number | null;
  heapBytesPerEntry: number;
}

// A smoke run, not a measurement: it proves the command runs its three processes and reports what
// it promises; no thresholds on memory or time.
describe('fraudctl bench-memory (smoke)', () => {
  it('prints one JSON object: an unbounded run, a bounded one that held at most the cap, and tombstones alone', async () => {
    if (!existsSync(FRAUDCTL)) throw new Error(`${FRAUDCTL} is missing: run \`npm run build\` first`);
    const { stdout } = await run(process.execPath, [FRAUDCTL, 'bench-memory', '--json', '--users', '20000', '--max-profiles', '1000', '--merchants', '100'], { cwd: join(__dirname, '../..') });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] as string) as { users: number; merchants: number; maxProfiles: number; unbounded: Run; bounded: Run; tombstones: Run };
    expect([report.users, report.merchants, report.maxProfiles]).toEqual([20_000, 100, 1_000]);
    expect(report.unbounded.entries).toEqual({ profiles: 20_100, tombstones: 0 });
    expect(report.bounded.entries.profiles).toBe(1_000);
    expect(report.bounded.stats.evicted.user.capacity + report.bounded.stats.evicted.merchant.capacity).toBeGreaterThanOrEqual(19_100);
    expect(report.bounded.rssBytesPerEntry).toBeNull();
    expect(report.tombstones.entries).toEqual({ profiles: 0, tombstones: 20_000 });
    for (const r of [report.unbounded, report.tombstones]) {
      expect(r.rssBytesPerEntry).toEqual(expect.any(Number));
      expect(r.heapBytesPerEntry).toBeGreaterThan(0);
      expect(r.after.rss).toBeGreaterThan(0);
    }
  }, 120_000);
});
