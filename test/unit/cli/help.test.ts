import type { Command } from '../../../src/cli/command';
import { commandGroup } from '../../../src/cli/command-group';
import { renderGroupHelp, renderHelp } from '../../../src/cli/help';
import type { OptionSpecs } from '../../../src/cli/options';

const OPTIONS = {
  in: { type: 'string', value: 'FILE', description: 'the stream to read', required: true },
  rounds: { type: 'string', value: 'N', description: 'rounds at most', default: 500 },
  registry: { type: 'string', value: 'DIR', description: 'the registry', default: 'MODEL_REGISTRY_DIR, else models' },
  json: { type: 'boolean', description: 'one JSON object on stdout' },
} as const satisfies OptionSpecs;

describe('renderHelp', () => {
  it('prints the usage line, the summary, one aligned line per option with its default, then the notes', () => {
    expect(renderHelp({ usage: 'demo --in FILE [options]', summary: 'does a demo', options: OPTIONS, notes: ['A note.', '  indented'] })).toBe(
      [
        'usage: fraudctl demo --in FILE [options]',
        '',
        'does a demo',
        '',
        'options:',
        '  --in FILE       the stream to read (required)',
        '  --rounds N      rounds at most (default: 500)',
        '  --registry DIR  the registry (default: MODEL_REGISTRY_DIR, else models)',
        '  --json          one JSON object on stdout (default: off)',
        '',
        'A note.',
        '  indented',
        '',
      ].join('\n'),
    );
  });

  it('leaves out the options section of a command without options', () => {
    expect(renderHelp({ usage: 'serve', summary: 'run it', options: {} })).toBe('usage: fraudctl serve\n\nrun it\n');
  });
});

describe('commandGroup', () => {
  const calls: string[][] = [];
  const group: Command = commandGroup({
    name: 'things',
    summary: 'do things',
    actions: [
      { name: 'list', summary: 'list them', usage: 'things list [options]', options: {}, run: async (a) => (calls.push(['list', ...a]), 0) },
      { name: 'remove', summary: 'remove one', usage: 'things remove NAME [options]', options: {}, run: async (a) => (calls.push(['remove', ...a]), 3) },
    ],
  });

  it('names its actions in its usage and lists them in its help', () => {
    expect(group.usage).toBe('things list|remove ...');
    expect(renderGroupHelp(group)).toBe(
      ['usage: fraudctl things list|remove ...', '', 'do things', '', 'actions:', '  list    list them', '  remove  remove one', '', "Run `fraudctl things <action> --help` for an action's options.", ''].join('\n'),
    );
  });

  it('passes the arguments after the action to it; a missing or unknown action is a usage error', async () => {
    expect(await group.run(['remove', 'x', '--json'], {} as never)).toBe(3);
    expect(calls).toEqual([['remove', 'x', '--json']]);
    await expect(group.run([], {} as never)).rejects.toThrow(expect.objectContaining({ name: 'UsageError', message: 'missing action' }));
    await expect(group.run(['--json'], {} as never)).rejects.toThrow(expect.objectContaining({ name: 'UsageError', message: 'unknown action "--json"' }));
  });
});
