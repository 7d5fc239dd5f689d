import * as args from '../../src/cli/args';
import { UsageError, type CommandHelp } from '../../src/cli/command';
import { commands } from '../../src/cli/commands';
import { main } from '../../src/cli/fraudctl';
import { defaultText, optionSynopsis, type OptionSpec } from '../../src/cli/options';

/**
 * Commands whose options are not described yet because they are being written elsewhere right now;
 * take a name out once its command declares `options` (then every check below applies to it).
 */
const PENDING = new Set<string>([]);

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env } } as never;
  return { run: (argv: string[]) => main(argv, io), stdout: () => out.join(''), stderr: () => err.join('') };
}

/** Everything with its own help: each command, or each action of a group. */
const targets: [string, CommandHelp][] = commands
  .filter((c) => !PENDING.has(c.name))
  .flatMap((c) => (c.actions === undefined ? [[c.name, c] as [string, CommandHelp]] : c.actions.map((a) => [`${c.name} ${a.name}`, a] as [string, CommandHelp])));

const entries = (h: CommandHelp): [string, OptionSpec][] => Object.entries(h.options ?? {});

describe('fraudctl help', () => {
  it('covers every command but the pending ones, and every action of the groups', () => {
    expect(targets.map(([path]) => path)).toEqual(
      expect.arrayContaining(['simulate', 'train', 'models list', 'models promote', 'models import', 'clients add', 'clients rotate', 'clients list', 'profiles rebuild', 'profiles load', 'rules test', 'serve']),
    );
    for (const [path, help] of targets) expect([path, help.options !== undefined]).toEqual([path, true]);
  });

  it.each(targets)('`%s --help` prints the usage line, the summary, and every option with its description and default', async (path, help) => {
    const c = cli();
    expect(await c.run([...path.split(' '), '--help'])).toBe(0);
    const text = c.stdout();
    expect(text.startsWith(`usage: fraudctl ${help.usage}\n\n${help.summary}\n`)).toBe(true);
    const lines = text.split('\n');
    for (const [name, spec] of entries(help)) {
      // One line: flag and placeholder, description, then "(default: X)", "(required)" or "(default: off)" for a flag.
      const line = lines.find((l) => l.startsWith(`  ${optionSynopsis(name, spec)} `));
      expect(line?.replace(/^ {2}\S+( \S+)? +/, '')).toBe(`${spec.description} ${defaultText(spec)}`);
    }
    expect(lines.filter((l) => /^ {2}--/.test(l))).toHaveLength(entries(help).length);
    expect(c.stderr()).toBe('');
    // `fraudctl help <command> [action]` is the same page.
    const same = cli();
    expect(await same.run(['help', ...path.split(' ')])).toBe(0);
    expect(same.stdout()).toBe(text);
  });

  it.each(targets)('`%s`: every option the parser accepts is documented (a description, a placeholder, a default or "required")', async (path, help) => {
    const accepted: Record<string, { type: string }>[] = [];
    const spy = jest.spyOn(args, 'parseOptions').mockImplementation(((_argv: readonly string[], options: Record<string, { type: string }>) => {
      accepted.push(options);
      // Stop before the command does anything.
      throw new UsageError('options captured');
    }) as typeof args.parseOptions);
    try {
      expect(await cli().run([...path.split(' '), '--zz-not-an-option'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(accepted).toHaveLength(1);
    const parsed = accepted[0] as Record<string, OptionSpec>;
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(help.options ?? {}).sort());
    for (const [name, spec] of Object.entries(parsed)) {
      expect([name, spec.description.trim().length > 0]).toEqual([name, true]);
      if (spec.type === 'string') {
        expect([name, spec.value.trim().length > 0]).toEqual([name, true]);
        expect([name, spec.required === true || spec.default !== undefined]).toEqual([name, true]);
      }
    }
  });

  it.each(targets)('`%s`: the usage line names only documented options, and every required one', (_path, help) => {
    const named = [...help.usage.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1] as string);
    for (const name of named) expect([name, name in (help.options ?? {})]).toEqual([name, true]);
    for (const [name, spec] of entries(help)) if (spec.type === 'string' && spec.required === true) expect(help.usage).toContain(`--${name} ${spec.value}`);
    expect(help.usage.endsWith('[options]') || entries(help).length === 0).toBe(true);
  });

  it('shows the defaults the commands use', async () => {
    const simulate = cli();
    await simulate.run(['simulate', '--help']);
    expect(simulate.stdout()).toMatch(/^ {2}--out FILE +the NDJSON event stream to write .* \(required\)$/m);
    expect(simulate.stdout()).toMatch(/^ {2}--seed N +seed of every random stream \(default: 0\)$/m);
    expect(simulate.stdout()).toMatch(/^ {2}--customers N +simulated customers \(default: 5000\)$/m);
    expect(simulate.stdout()).toMatch(/^ {2}--label-delay-model fixed\|chargeback +fraud labels: .* \(default: fixed\)$/m);
    const train = cli();
    await train.run(['help', 'train']);
    expect(train.stdout()).toMatch(/^ {2}--rounds N +boosting rounds at most \(default: 500\)$/m);
    expect(train.stdout()).toMatch(/^ {2}--train-start YYYY-MM-DD +.* \(default: 2018-07-25\)$/m);
    expect(train.stdout()).toMatch(/^ {2}--promote +.* \(default: off\)$/m);
  });

  it('`rules test --help` keeps what the old usage text said: sources, windows, baselines, lists, figures, report', async () => {
    const c = cli();
    await c.run(['rules', 'test', '--help']);
    const text = c.stdout();
    for (const phrase of [
      'usage: fraudctl rules test FILE (--dataset DIR [--events FILE] | --decision-log) [options]',
      'nothing is changed anywhere',
      "baseline = the champion's decision without rules",
      '(default: the stream found beside DIR)',
      'SQLite in DATA_DIR, or DECISION_LOG=postgres',
      'baseline = the recorded decision',
      'DEGRADED_POLICY when a profile was unread',
      'labels resolve to fraud by source precedence',
      "the champion's test window, else the handbook test week",
      '--decision-log: 30 days before --until',
      'now, or 30 days after --since',
      '(default: MODEL_REGISTRY_DIR, else models)',
      '(default: every declared list empty)',
      'fraud caught = fraud the baseline approved, now challenged/declined',
      'friction added = legitimate the baseline approved',
      'changed alone (changes where it was the only hit)',
      '(default: rules-backtest.html)',
      'docs/rules-backtest.md',
    ]) {
      expect([phrase, text.includes(phrase)]).toEqual([phrase, true]);
    }
  });

  it('`fraudctl --help` and `fraudctl help` list every command with its summary (exit 0); no command at all is exit 2 on stderr', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const c = cli();
      expect(await c.run(argv)).toBe(0);
      for (const command of commands) expect(c.stdout()).toContain(`\n  ${command.name.padEnd(16)} ${command.summary}\n`);
    }
    const none = cli();
    expect(await none.run([])).toBe(2);
    expect(none.stdout()).toBe('');
    expect(none.stderr()).toMatch(/^usage: fraudctl <command> \[options\]\n/);
  });

  it('a group\'s help lists its actions, each with its summary, and says where their options are', async () => {
    for (const group of commands.filter((c) => c.actions !== undefined)) {
      const c = cli();
      expect(await c.run([group.name, '--help'])).toBe(0);
      expect(c.stdout()).toContain(`usage: fraudctl ${group.name} ${(group.actions ?? []).map((a) => a.name).join('|')} ...\n`);
      for (const a of group.actions ?? []) expect(c.stdout()).toMatch(new RegExp(`^ {2}${a.name} +${a.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      expect(c.stdout()).toContain(`Run \`fraudctl ${group.name} <action> --help\` for an action's options.`);
    }
  });

  it('help on something unknown is exit 2 on stderr', async () => {
    const command = cli();
    expect(await command.run(['help', 'frobnicate'])).toBe(2);
    expect(command.stderr()).toMatch(/^fraudctl help: unknown command "frobnicate"\n/);
    const action = cli();
    expect(await action.run(['help', 'models', 'frobnicate'])).toBe(2);
    expect(action.stderr()).toMatch(/^fraudctl help: models has no action "frobnicate"\nusage: fraudctl models /);
  });
});
