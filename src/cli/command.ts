/** The process surface a command may touch; tests pass their own. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** True when stderr is an interactive terminal (progress bars are drawn only then). */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/** One `fraudctl` subcommand. `run` resolves to the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], io: CliIO): Promise<number>;
}

/** A condition that ends the command with `code` after printing `message` (one line) on stderr. */
export class CommandExit extends Error {
  override readonly name = 'CommandExit';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** A mistake in how a command was invoked: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Prints one JSON object as the command's only stdout output (`--json` mode). */
export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}
