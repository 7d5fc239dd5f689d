#!/usr/bin/env node
import type { CliIO, Command } from './command';
import { CommandExit, printJson, UsageError } from './command';
import { commands } from './commands';

function help(io: CliIO): void {
  const lines = ['usage: fraudctl <command> [options]', '', 'commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(16)} ${c.summary}`);
  lines.push('', 'Run `fraudctl <command> --help` for its options.');
  io.stderr.write(`${lines.join('\n')}\n`);
}

/** Runs `fraudctl` with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name === undefined ? 2 : 0;
  }
  // Two-word commands ("models list") are registered under the first word and dispatch themselves.
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`fraudctl: unknown command "${name}"\n`);
    help(io);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stderr.write(`usage: fraudctl ${command.usage}\n`);
    return 0;
  }
  // With --json, a command that fails without having printed its JSON still prints one object on
  // stdout ({"error": {...}}), so a script reading stdout always gets JSON.
  let printed = false;
  const stdout = Object.create(io.stdout) as NodeJS.WritableStream;
  stdout.write = ((...args: Parameters<NodeJS.WritableStream['write']>) => {
    printed = true;
    return (io.stdout.write as (...a: unknown[]) => boolean)(...args);
  }) as NodeJS.WritableStream['write'];
  const fail = (code: number, message: string): number => {
    if (rest.includes('--json') && !printed) printJson(io, { error: { exitCode: code, message } });
    return code;
  };
  try {
    return await command.run(rest, { ...io, stdout });
  } catch (err) {
    if (err instanceof CommandExit) {
      io.stderr.write(`${err.message}\n`);
      return fail(err.code, err.message);
    }
    if (err instanceof UsageError) {
      io.stderr.write(`fraudctl ${name}: ${err.message}\nusage: fraudctl ${command.usage}\n`);
      return fail(2, err.message);
    }
    io.stderr.write(`fraudctl ${name}: ${(err as Error).message}\n`);
    return fail(1, (err as Error).message);
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
