import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/fraudctl';

const REPO_MODELS = join(__dirname, '../../models');

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, ...env } } as never;
  return { run: (args: string[]) => main(args, io), out, err, json: () => JSON.parse(out.join('')) as unknown, stderr: () => err.join('') };
}

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/* What a newcomer's mistakes get: a clear refusal, never an empty result that looks like success. */
describe('fraudctl refusals', () => {
  it('a registry path that does not exist is an error, not an empty table', async () => {
    const c = cli();
    expect(await c.run(['models', 'list', '--registry', '/nonexistent/registry'])).toBe(2);
    expect(c.stderr()).toBe('no model registry at /nonexistent/registry (--registry or MODEL_REGISTRY_DIR)\n');
    expect(c.out).toEqual([]);
  });

  describe('with --json, a failure still prints one JSON object on stdout: {"error": {code, message, exitCode}}', () => {
    it('a missing input: not_found, exit 2', async () => {
      const c = cli();
      expect(await c.run(['models', 'list', '--registry', '/nonexistent/registry', '--json'])).toBe(2);
      expect(c.json()).toEqual({ error: { code: 'not_found', message: 'no model registry at /nonexistent/registry (--registry or MODEL_REGISTRY_DIR)', exitCode: 2 } });
    });

    it('a usage error: usage, exit 2 (an unknown action, an unknown option, an unknown command)', async () => {
      const action = cli();
      expect(await action.run(['models', 'frobnicate', '--json'])).toBe(2);
      expect(action.json()).toEqual({ error: { code: 'usage', message: 'unknown action "frobnicate"', exitCode: 2 } });
      expect(action.stderr()).toMatch(/^fraudctl models: unknown action "frobnicate"\nusage: fraudctl models list\|promote\|rollback\|history\|import \.\.\.\n$/);
      const option = cli();
      expect(await option.run(['models', 'list', '--bogus', '--json'])).toBe(2);
      expect(option.json()).toEqual({ error: { code: 'usage', message: "Unknown option '--bogus'", exitCode: 2 } });
      expect(option.stderr()).toContain('usage: fraudctl models list [options]\n');
      const command = cli();
      expect(await command.run(['frobnicate', '--json'])).toBe(2);
      expect(command.json()).toEqual({ error: { code: 'usage', message: 'unknown command "frobnicate"', exitCode: 2 } });
    });

    it('a refusal: refused, exit 1', async () => {
      const file = join(tmp('clients-refusal-'), 'clients.json');
      expect(await cli().run(['clients', 'add', '--file', file, '--name', 'payments', '--scopes', 'score', '--json'])).toBe(0);
      const again = cli();
      expect(await again.run(['clients', 'add', '--file', file, '--name', 'payments', '--scopes', 'score', '--json'])).toBe(1);
      expect(again.json()).toEqual({ error: { code: 'refused', message: `client "payments" already exists in ${file}: use clients rotate`, exitCode: 1 } });
    });

    it('an input that exists but is unusable: invalid_input, exit 2', async () => {
      const file = join(tmp('clients-invalid-'), 'clients.json');
      writeFileSync(file, '{"clients": "none"}');
      const c = cli();
      expect(await c.run(['clients', 'list', '--file', file, '--json'])).toBe(2);
      expect(c.json()).toMatchObject({ error: { code: 'invalid_input', message: expect.stringMatching(new RegExp(`^${file}: `)), exitCode: 2 } });
    });

    it('a bad environment: invalid_input (configuration), exit 2', async () => {
      const c = cli({ DECISION_LOG: 'carrier-pigeon' });
      expect(await c.run(['prune', '--json'])).toBe(2);
      expect(c.json()).toMatchObject({ error: { code: 'invalid_input', exitCode: 2 } });
      expect(c.stderr()).toContain('DECISION_LOG');
    });
  });

  it('retrain against a DATA_DIR without a decision log refuses (not_found, exit 2) and creates no database', async () => {
    const dataDir = join(tmp('no-log-'), 'data');
    const c = cli({ DATA_DIR: dataDir, DECISION_LOG: 'sqlite', MODEL_REGISTRY_DIR: REPO_MODELS });
    expect(await c.run(['retrain', '--json'])).toBe(2);
    expect(c.stderr()).toBe(`no decision log at ${join(dataDir, 'fraud.db')}: set DATA_DIR to the service's data directory (or DECISION_LOG=postgres with DATABASE_URL)\n`);
    expect(c.json()).toEqual({ error: { code: 'not_found', message: expect.stringMatching(/^no decision log at /), exitCode: 2 } });
    expect(existsSync(join(dataDir, 'fraud.db'))).toBe(false);
    if (existsSync(dataDir)) expect(readdirSync(dataDir).filter((f) => f.startsWith('fraud.db'))).toEqual([]);
  });

  /* Every path a command reads: missing, it is named with where it came from (exit 2, not_found), and nothing is created in its place. */
  describe('missing inputs are errors (not_found, exit 2)', () => {
    const dir = tmp('missing-inputs-');
    const nowhere = join(dir, 'nowhere');

    it.each<[string, string[], Record<string, string>, string]>([
      ['build-dataset: the event stream', ['build-dataset', '--in', nowhere, '--out', join(dir, 'ds')], {}, `no event stream at ${nowhere} (--in)`],
      ['evaluate: the dataset', ['evaluate', '--dataset', nowhere, '--registry', REPO_MODELS], {}, `no dataset at ${nowhere} (a directory build-dataset wrote, with dataset.json)`],
      ['models import: the dataset', ['models', 'import', join(dir, 'model.onnx'), '--dataset', dir, '--registry', join(dir, 'registry')], {}, `no dataset at ${dir} (a directory build-dataset wrote, with dataset.json)`],
      ['models history: the registry', ['models', 'history', '--registry', nowhere], {}, `no model registry at ${nowhere} (--registry or MODEL_REGISTRY_DIR)`],
      ['clients list: the clients file', ['clients', 'list', '--file', nowhere], {}, `no clients file at ${nowhere} (--file)`],
      ['clients rotate: the clients file', ['clients', 'rotate', '--file', nowhere, '--name', 'payments'], {}, `no clients file at ${nowhere} (--file)`],
      ['profiles load: the snapshot', ['profiles', 'load', '--snapshot', nowhere], {}, `no profile snapshot at ${nowhere} (--snapshot)`],
      ['prune: PROFILE_SNAPSHOT', ['prune'], { DATA_DIR: dir, DECISION_LOG: 'sqlite', PROFILE_SNAPSHOT: nowhere }, `no profile snapshot at ${nowhere} (PROFILE_SNAPSHOT)`],
      ['prune: the decision log of DATA_DIR', ['prune'], { DATA_DIR: nowhere, DECISION_LOG: 'sqlite' }, `no decision log at ${join(nowhere, 'fraud.db')}: set DATA_DIR to the service's data directory (or DECISION_LOG=postgres with DATABASE_URL)`],
      ['retrain: MODEL_REGISTRY_DIR', ['retrain'], { DATA_DIR: dir, DECISION_LOG: 'sqlite', MODEL_REGISTRY_DIR: nowhere }, `no model registry at ${nowhere} (MODEL_REGISTRY_DIR)`],
      ['bench: the registry', ['bench', '--registry', nowhere], {}, `no model registry at ${nowhere} (--registry or MODEL_REGISTRY_DIR)`],
    ])('%s', async (_what, args, env, message) => {
      const c = cli(env);
      expect(await c.run([...args, '--json'])).toBe(2);
      expect(c.stderr()).toBe(`${message}\n`);
      expect(c.json()).toEqual({ error: { code: 'not_found', message, exitCode: 2 } });
      expect(existsSync(nowhere)).toBe(false);
    });

    it('models import: a dataset there but no ONNX FILE', async () => {
      const dataset = join(dir, 'dataset');
      mkdirSync(dataset, { recursive: true });
      writeFileSync(join(dataset, 'dataset.json'), '{}');
      const c = cli();
      expect(await c.run(['models', 'import', join(dir, 'model.onnx'), '--dataset', dataset, '--registry', join(dir, 'registry')])).toBe(2);
      expect(c.stderr()).toBe(`no ONNX model at ${join(dir, 'model.onnx')}\n`);
      expect(existsSync(join(dir, 'registry'))).toBe(false);
    });

    it('build-dataset: a --scenarios file that is not there', async () => {
      const events = join(dir, 'events.ndjson');
      writeFileSync(events, '');
      const c = cli();
      expect(await c.run(['build-dataset', '--in', events, '--out', join(dir, 'ds'), '--scenarios', nowhere])).toBe(2);
      expect(c.stderr()).toBe(`no scenario file at ${nowhere} (--scenarios)\n`);
      expect(existsSync(join(dir, 'ds'))).toBe(false);
    });

    it('evaluate: a registry without a champion, and an unknown --model', async () => {
      const empty = join(dir, 'empty-registry');
      mkdirSync(empty);
      const dataset = join(dir, 'dataset');
      mkdirSync(dataset, { recursive: true });
      writeFileSync(join(dataset, 'dataset.json'), JSON.stringify({ format: 'fraud-dataset/v1', rows: 0, featureNames: [], matrix: { file: 'features.f32' } }));
      writeFileSync(join(dataset, 'features.f32'), '');
      const none = cli();
      expect(await none.run(['evaluate', '--dataset', dataset, '--registry', empty, '--json'])).toBe(2);
      expect(none.json()).toEqual({ error: { code: 'not_found', message: `evaluate: no champion in ${empty}; pass --model VERSION`, exitCode: 2 } });
      const unknown = cli();
      expect(await unknown.run(['evaluate', '--dataset', dataset, '--registry', REPO_MODELS, '--model', 'v-nope'])).toBe(2);
      expect(unknown.stderr()).toBe(`evaluate: no model v-nope in ${REPO_MODELS}\n`);
    });

    it('rules test: the directory of --report', async () => {
      const c = cli();
      const report = join(nowhere, 'page.html');
      expect(await c.run(['rules', 'test', join(REPO_MODELS, 'rules.json'), '--dataset', dir, '--report', report])).toBe(2);
      expect(c.stderr()).toBe(`no directory at ${nowhere} (for --report ${report})\n`);
    });

    it('clients add starts a missing file (the first client), and keeps only the key\'s hash', async () => {
      const file = join(dir, 'new-clients.json');
      const c = cli();
      expect(await c.run(['clients', 'add', '--file', file, '--name', 'payments', '--scopes', 'score', '--json'])).toBe(0);
      const { key } = c.json() as { key: string };
      expect(readFileSync(file, 'utf8')).not.toContain(key);
    });
  });
});
