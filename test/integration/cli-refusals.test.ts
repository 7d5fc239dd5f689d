import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/fraudctl';

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, ...env } } as never;
  return { run: (args: string[]) => main(args, io), out, err };
}

/* What a newcomer's mistakes get: a clear refusal, never an empty result that looks like success. */
describe('fraudctl refusals', () => {
  it('a registry path that does not exist is an error, not an empty table', async () => {
    const c = cli();
    expect(await c.run(['models', 'list', '--registry', '/nonexistent/registry'])).toBe(2);
    expect(c.err.join('')).toBe('no model registry at /nonexistent/registry (--registry or MODEL_REGISTRY_DIR)\n');
    expect(c.out).toEqual([]);
  });

  it('with --json, a refusal still prints one JSON object on stdout', async () => {
    const c = cli();
    expect(await c.run(['models', 'list', '--registry', '/nonexistent/registry', '--json'])).toBe(2);
    expect(JSON.parse(c.out.join(''))).toEqual({ error: { exitCode: 2, message: 'no model registry at /nonexistent/registry (--registry or MODEL_REGISTRY_DIR)' } });
    const usage = cli();
    expect(await usage.run(['models', 'frobnicate', '--json'])).toBe(2);
    expect(JSON.parse(usage.out.join(''))).toEqual({ error: { exitCode: 2, message: 'unknown action "frobnicate"' } });
  });

  it('retrain against a DATA_DIR without a decision log refuses and creates no database', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'no-log-')), 'data');
    const c = cli({ DATA_DIR: dataDir, DECISION_LOG: 'sqlite', MODEL_REGISTRY_DIR: join(__dirname, '../../models') });
    expect(await c.run(['retrain', '--json'])).toBe(1);
    expect(c.err.join('')).toContain(`no decision log at ${join(dataDir, 'fraud.db')}: set DATA_DIR to the service's data directory`);
    expect(JSON.parse(c.out.join(''))).toMatchObject({ error: { exitCode: 1 } });
    expect(existsSync(join(dataDir, 'fraud.db'))).toBe(false);
    if (existsSync(dataDir)) expect(readdirSync(dataDir).filter((f) => f.startsWith('fraud.db'))).toEqual([]);
  });
});
