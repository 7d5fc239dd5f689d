import type { OptionSpecs } from './options';

/** The process surface a command may touch; tests pass their own. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** True when stderr is an interactive terminal (progress bars are drawn only then). */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/** What `--help` shows of a command, or of one action of a group. */
export interface CommandHelp {
  /** The synopsis after `fraudctl `: positionals, required options, then `[options]`. */
  readonly usage: string;
  /** What it does, in one line. */
  readonly summary: string;
  /** Every option `run` parses, described: the parser's configuration and the help's list both come from it. */
  readonly options?: OptionSpecs;
  /** Paragraphs after the options (positionals, environment, what the figures mean), one line each. */
  readonly notes?: readonly string[];
}

/** One action of a group (`models promote`): its own usage, options and help. */
export interface CommandAction extends CommandHelp {
  readonly name: string;
  readonly options: OptionSpecs;
  run(args: readonly string[], io: CliIO): Promise<number>;
}

/** One `fraudctl` subcommand. `run` resolves to the process exit code. */
export interface Command extends CommandHelp {
  readonly name: string;
  /** A group's actions (`models list`, `models promote`, ...); `run` dispatches on the first argument. */
  readonly actions?: readonly CommandAction[];
  run(args: readonly string[], io: CliIO): Promise<number>;
}

/**
 * Why a command failed: the closed catalogue of codes a `--json` failure carries
 * (`{"error": {"code", "message", "exitCode"}}`), with the exit code of each.
 */
export const FAILURES = {
  /** The command line is wrong: an unknown option or action, a missing or malformed value. */
  usage: 2,
  /** An input exists but cannot be used: an invalid rule set, clients file or configuration. */
  invalid_input: 2,
  /** An input is missing: a file, directory, registry, model version or decision log. */
  not_found: 2,
  /** Something the command needs is not installed or cannot be reached (libxgboost). */
  unavailable: 2,
  /** The command ran and declined: an untrusted model, a refused import, an existing client. */
  refused: 1,
  /** Anything else (an I/O failure, a bug); the message says what. */
  internal: 1,
} as const;

export type FailureCode = keyof typeof FAILURES;

/** A condition that ends the command with `code` (and its exit code) after printing `message` (one line) on stderr. */
export class CommandExit extends Error {
  override readonly name = 'CommandExit';
  readonly code: FailureCode;
  constructor(message: string, code: FailureCode) {
    super(message);
    this.code = code;
  }
}

/** A mistake in how a command was invoked: printed with the usage line, code `usage` (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Prints one JSON object as the command's only stdout output (`--json` mode). */
export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}
