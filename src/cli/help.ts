import type { Command, CommandHelp } from './command';
import { defaultText, optionSynopsis } from './options';

/**
 * The `--help` text of a command or of one action: the usage line, the summary, one line per
 * option (flag and placeholder, description, default or "required"), then the notes.
 */
export function renderHelp(h: CommandHelp): string {
  const lines = [`usage: fraudctl ${h.usage}`, '', h.summary];
  const options = Object.entries(h.options ?? {});
  if (options.length > 0) {
    const flags = options.map(([name, spec]) => optionSynopsis(name, spec));
    const width = Math.max(...flags.map((f) => f.length));
    lines.push('', 'options:', ...options.map(([, spec], i) => `  ${(flags[i] as string).padEnd(width)}  ${spec.description} ${defaultText(spec)}`));
  }
  if (h.notes !== undefined && h.notes.length > 0) lines.push('', ...h.notes);
  return `${lines.join('\n')}\n`;
}

/** The `--help` text of a group: its usage, summary and actions, and where each action's help is. */
export function renderGroupHelp(c: Command): string {
  const actions = c.actions ?? [];
  const width = Math.max(...actions.map((a) => a.name.length));
  const lines = [`usage: fraudctl ${c.usage}`, '', c.summary, '', 'actions:', ...actions.map((a) => `  ${a.name.padEnd(width)}  ${a.summary}`)];
  if (c.notes !== undefined && c.notes.length > 0) lines.push('', ...c.notes);
  lines.push('', `Run \`fraudctl ${c.name} <action> --help\` for an action's options.`);
  return `${lines.join('\n')}\n`;
}

/** `fraudctl --help`: every command with its summary. */
export function renderOverview(commands: readonly Command[]): string {
  const lines = ['usage: fraudctl <command> [options]', '', 'commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(16)} ${c.summary}`);
  lines.push('', 'Run `fraudctl <command> --help` (or `fraudctl help <command> [action]`) for its options.');
  return `${lines.join('\n')}\n`;
}
