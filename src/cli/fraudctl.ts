#!/usr/bin/env node
import { ConfigError } from '../config/config';
import { NoDecisionLogError } from '../records/open-decision-history';
import { XGBoostUnavailableError } from '../training/xgboost';
import type { CliIO, Command, FailureCode } from './command';
import { CommandExit, FAILURES, printJson, UsageError } from './command';
import { findAction } from './command-group';
import { commands } from './commands';
import { renderGroupHelp, renderHelp, renderOverview } from './help';

/** How a command failed: a code of the catalogue and a one-line message. */
export interface Failure {
  readonly code: FailureCode;
  readonly message: string;
}

/** The one place errors become failure codes (and through {@link FAILURES}, exit codes). */
export function failureOf(err: unknown): Failure {
  // Not `instanceof Error`: errors from another realm (node's own, under a test runner) are errors too.
  const message = typeof (err as { message?: unknown } | null)?.message === 'string' ? (err as Error).message : String(err);
  if (err instanceof CommandExit) return { code: err.code, message };
  if (err instanceof UsageError) return { code: 'usage', message };
  if (err instanceof NoDecisionLogError) return { code: 'not_found', message };
  if (err instanceof ConfigError) return { code: 'invalid_input', message };
  if (err instanceof XGBoostUnavailableError) return { code: 'unavailable', message };
  return { code: 'internal', message };
}

/** The help of `command` given the arguments after it: an action's when the first one names an action. */
function helpOf(command: Command, rest: readonly string[]): string {
  const action = findAction(command.actions, rest[0]);
  if (action !== undefined) return renderHelp(action);
  return command.actions === undefined ? renderHelp(command) : renderGroupHelp(command);
}

/** `fraudctl help [<command> [action]]`: the help on stdout (exit 0), or what is unknown (exit 2). */
function help(topic: readonly string[], io: CliIO): number {
  const [name, action] = topic;
  const command = commands.find((c) => c.name === name);
  if (name === undefined) io.stdout.write(renderOverview(commands));
  else if (command === undefined) {
    io.stderr.write(`fraudctl help: unknown command "${name}"\n${renderOverview(commands)}`);
    return 2;
  } else if (action !== undefined && findAction(command.actions, action) === undefined) {
    io.stderr.write(`fraudctl help: ${name} has no action "${action}"\n${helpOf(command, [])}`);
    return 2;
  } else io.stdout.write(helpOf(command, topic.slice(1)));
  return 0;
}

/** Runs `fraudctl` with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(renderOverview(commands));
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') return help(name === 'help' ? rest : [], io);
  const json = rest.includes('--json');
  // Two-word commands ("models list") are registered under the first word and dispatch themselves.
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`fraudctl: unknown command "${name}"\n${renderOverview(commands)}`);
    if (json) printJson(io, { error: { code: 'usage', message: `unknown command "${name}"`, exitCode: FAILURES.usage } });
    return FAILURES.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(helpOf(command, rest));
    return 0;
  }
  // With --json, a command that fails without having printed its JSON still prints one object on
  // stdout ({"error": {code, message, exitCode}}), so a script reading stdout always gets JSON.
  let printed = false;
  const stdout = Object.create(io.stdout) as NodeJS.WritableStream;
  stdout.write = ((...args: Parameters<NodeJS.WritableStream['write']>) => {
    printed = true;
    return (io.stdout.write as (...a: unknown[]) => boolean)(...args);
  }) as NodeJS.WritableStream['write'];
  try {
    return await command.run(rest, { ...io, stdout });
  } catch (err) {
    const failure = failureOf(err);
    const exitCode = FAILURES[failure.code];
    if (failure.code === 'usage') {
      const usage = findAction(command.actions, rest[0])?.usage ?? command.usage;
      io.stderr.write(`fraudctl ${name}: ${failure.message}\nusage: fraudctl ${usage}\n`);
    } else if (failure.code === 'internal') io.stderr.write(`fraudctl ${name}: ${failure.message}\n`);
    else io.stderr.write(`${failure.message}\n`);
    if (json && !printed) printJson(io, { error: { code: failure.code, message: failure.message, exitCode } });
    return exitCode;
  }
}

if (require.main === module) {
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, isTTY: process.stderr.isTTY === true, env: process.env };
  main(process.argv.slice(2), io).then(
    (code) => {
      // Commands that keep running (serve, retrain --schedule) never resolve; the rest exit here.
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
