import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/command';

/** A `CliIO` for running a command in-process: not a TTY, `env` as given; what it writes is collected. */
export function captureIO(env: NodeJS.ProcessEnv = {}): { io: CliIO; stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  return { io: { stdout, stderr, isTTY: false, env }, stdout: () => out.join(''), stderr: () => err.join('') };
}
