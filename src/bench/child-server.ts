import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** What to start: a Node script, its arguments, environment and Node flags. */
export interface ChildServerSpec {
  readonly name: string;
  readonly script: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Node options, e.g. `--cpu-prof`. */
  readonly execArgv?: readonly string[];
  /** Longest wait for the `listening on URL` line, ms (default 120 s: snapshot loading). */
  readonly startTimeoutMs?: number;
  /**
   * Where the child's stdout goes (a file, created or truncated). Writing it straight to a file
   * keeps its logs (decision events) out of this process, which generates the load.
   */
  readonly stdoutPath: string;
}

/** A server running in its own process. */
export interface ChildServer {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** What it printed so far (stderr, then the start of stdout), for error messages. */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`). Resolves to the exit code or signal. */
  stop(timeoutMs?: number): Promise<number | string>;
}

const LISTENING = /listening on (http:\/\/[0-9A-Za-z.:[\]-]+)/;
/** Output kept for error messages; the rest is dropped so a chatty child costs no memory. */
const KEEP_CHARS = 64 * 1024;

function head(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(0, KEEP_CHARS);
  } catch {
    return '';
  }
}

/**
 * Starts `node [execArgv] script [args]` with stdout into `spec.stdoutPath` and resolves once it
 * prints `listening on http://…` there (polled every 25 ms). Rejects (and kills the child) when it
 * exits first or the timeout passes, with its output in the message.
 */
export function startChildServer(spec: ChildServerSpec): Promise<ChildServer> {
  const stdout = openSync(spec.stdoutPath, 'w');
  const child = spawn(process.execPath, [...(spec.execArgv ?? []), spec.script, ...(spec.args ?? [])], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', stdout, 'pipe'],
  });
  closeSync(stdout);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (err.length < KEEP_CHARS) err += d.toString('utf8');
  });
  const output = () => `${err}${head(spec.stdoutPath)}`;
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const stop = async (timeoutMs = 30_000): Promise<number | string> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise<ChildServer>((resolve, reject) => {
    const started = Date.now();
    const timeoutMs = spec.startTimeoutMs ?? 120_000;
    const poll = setInterval(() => {
      const m = LISTENING.exec(head(spec.stdoutPath));
      if (m !== null) {
        clearInterval(poll);
        resolve({ name: spec.name, url: m[1] as string, pid: child.pid as number, output, stop });
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        void stop(1000);
        reject(new Error(`${spec.name} did not start within ${timeoutMs} ms:\n${output()}`));
      }
    }, 25);
    void exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`${spec.name} exited (${code}) before listening:\n${output()}`));
    });
  });
}
