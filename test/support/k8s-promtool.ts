import { spawnSync } from 'node:child_process';

// Prometheus's own checker for the alert and recording rules: `promtool check rules` (syntax,
// PromQL, templates) and `promtool test rules` (unit tests with synthetic series).

export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/** What one promtool run printed. */
export interface PromtoolRun {
  readonly status: number | null;
  readonly output: string;
}

/** Whether promtool runs here (Debian: apt-get install prometheus). */
export function promtoolAvailable(): boolean {
  const run = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return run.error === undefined && run.status === 0;
}

/** Runs promtool with `args` in `cwd` (rule unit tests resolve rule_files from there). */
export function promtool(args: readonly string[], cwd: string): PromtoolRun {
  const run = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  if (run.error !== undefined) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
