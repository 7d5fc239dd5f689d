import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/fraudctl';
import { simulate, summarize, writeEvents } from '../../src/sim';
import { captureIO } from '../support/cli-io';

const fakeIO = () => captureIO();

const SMALL = ['--customers', '150', '--terminals', '300', '--days', '30', '--seed', '4'];

describe('fraudctl simulate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simulate-cli-'));

  it('--json prints exactly one JSON object on stdout, nothing else, and writes the stream', async () => {
    const out = join(dir, 'a.ndjson');
    const t = fakeIO();
    expect(await main(['simulate', '--out', out, ...SMALL, '--json'], t.io)).toBe(0);
    expect(t.stderr()).toBe('');
    const lines = t.stdout().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const report = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['transactions', 'frauds', 'fraudRate', 'labels', 'byScenario', 'seconds']);
    const expected = summarize(simulate({ seed: 4, customers: 150, terminals: 300, days: 30 }));
    expect(report).toMatchObject({ ...expected });
    expect(Object.keys(report.byScenario as object)).toEqual(['1', '2', '3']);
    expect(typeof report.seconds).toBe('number');
    const written = readFileSync(out, 'utf8');
    expect(written.split('\n').length - 1).toBe(expected.transactions + expected.labels);
  });

  it('--card-testing and --merchant-wave add the fourth and fifth scenarios, named in the scenario file', async () => {
    const out = join(dir, 'extra.ndjson');
    const t = fakeIO();
    expect(await main(['simulate', '--out', out, ...SMALL, '--card-testing', '2', '--merchant-wave', '10', '--json'], t.io)).toBe(0);
    const report = JSON.parse(t.stdout()) as { byScenario: Record<string, number> };
    expect(Object.keys(report.byScenario)).toEqual(['1', '2', '3', '4', '5']);
    expect(report.byScenario['5']).toBeGreaterThan(500);
    const file = JSON.parse(readFileSync(join(dir, 'extra.scenarios.json'), 'utf8')) as { scenarios: Record<string, string> };
    expect(file.scenarios).toMatchObject({ '4': 'card-testing', '5': 'merchant-wave' });
    const bad = fakeIO();
    expect(await main(['simulate', '--out', out, '--merchant-wave', 'soon'], bad.io)).toBe(2);
    expect(bad.stderr()).toMatch(/--merchant-wave/);
  });

  it('writes the same bytes as the programmatic API, and again on a rerun', async () => {
    const a = join(dir, 'b1.ndjson');
    const b = join(dir, 'b2.ndjson');
    await main(['simulate', '--out', a, ...SMALL, '--label-delay-model', 'chargeback', '--json'], fakeIO().io);
    await main(['simulate', '--out', b, ...SMALL, '--label-delay-model', 'chargeback', '--json'], fakeIO().io);
    const chunks: string[] = [];
    writeEvents(simulate({ seed: 4, customers: 150, terminals: 300, days: 30, labelDelayModel: 'chargeback' }), (c) => chunks.push(c));
    expect(readFileSync(a, 'utf8')).toBe(chunks.join(''));
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
  });

  it('without --json prints a short summary on stderr and nothing on stdout', async () => {
    const t = fakeIO();
    expect(await main(['simulate', '--out', join(dir, 'c.ndjson'), ...SMALL], t.io)).toBe(0);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toMatch(/^simulate: wrote \d+ events \([\d.]+ MB\) to .*c\.ndjson in [\d.]+ s\n {2}transactions \d+, frauds \d+ \([\d.]+%\), labels \d+\n {2}frauds by scenario: #1 \d+ \([\d.]+%\), #2 \d+ \([\d.]+%\), #3 \d+ \([\d.]+%\)\n$/);
  });

  it('--start-day simulates a later period of the same world (ids continue)', async () => {
    const t = fakeIO();
    const out = join(dir, 'd.ndjson');
    expect(await main(['simulate', '--out', out, ...SMALL, '--start-day', '20', '--days', '5', '--json'], t.io)).toBe(0);
    const first = JSON.parse(readFileSync(out, 'utf8').split('\n')[0] as string) as { transactionId: string; timestamp: string };
    expect(first.timestamp.startsWith('2018-04-21')).toBe(true);
    expect(Number(first.transactionId.slice(2))).toBeGreaterThan(0);
  });

  it.each([
    [['--days', '3'], '--out is required'],
    [['--out', 'x', '--label-delay-model', 'weekly'], '--label-delay-model must be one of fixed, chargeback, got "weekly"'],
    [['--out', 'x', '--days', '0'], '--days must be an integer >= 1, got "0"'],
    [['--out', 'x', '--start-date', '2018-13-01'], '--start-date must be a date YYYY-MM-DD, got "2018-13-01"'],
    [['--out', 'x', '--start-date', '2018-02-30'], '--start-date must be a date YYYY-MM-DD, got "2018-02-30"'],
    [['--out', 'x', '--seed=-1'], '--seed must be an integer >= 0, got "-1"'],
    [['--out', 'x', '--bogus'], "Unknown option '--bogus'"],
  ])('answers a usage error (exit 2) for %p', async (args, message) => {
    const t = fakeIO();
    expect(await main(['simulate', ...args], t.io)).toBe(2);
    expect(t.stderr()).toContain(message);
    expect(t.stderr()).toContain('usage: fraudctl simulate --out FILE');
    expect(t.stdout()).toBe('');
  });

  it('creates missing directories, and reports an unwritable output path as an error (exit 1)', async () => {
    const ok = fakeIO();
    expect(await main(['simulate', '--out', join(dir, 'missing', 'x.ndjson'), ...SMALL], ok.io)).toBe(0);
    const t = fakeIO();
    // A path through a regular file can never be created.
    expect(await main(['simulate', '--out', join(dir, 'missing', 'x.ndjson', 'y.ndjson'), ...SMALL], t.io)).toBe(1);
    expect(t.stderr()).toMatch(/fraudctl simulate: (EEXIST|ENOTDIR)/);
  });
});
