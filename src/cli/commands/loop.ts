import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../../config/project-root';
import { DEFAULT_ANSWERS, checkAnswerBehaviour } from '../../loop/confirmation-app';
import type { ArmName, GateFigures, RetrainOutcome } from '../../loop/drive-arm';
import { formatLoopSummary } from '../../loop/loop-summary';
import { renderLoopReport } from '../../loop/loop-report-html';
import { ARM_NAMES, runLoop, type LoopTarget } from '../../loop/run-loop';
import { DEFAULT_OPTIONS } from '../../sim';
import { intOption, numberOption, parseOptions } from '../args';
import { fraudctlScript } from '../built-script';
import { printJson, UsageError, type Command } from '../command';
import { requireRegistry } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';
import { createProgress, type Progress } from '../progress';

const ARM_CHOICES = ['both', ...ARM_NAMES] as const;

const OPTIONS = {
  url: { type: 'string', value: 'URL', description: 'drive this running service instead of starting one per arm (one arm only; retraining uses this command\'s environment: DATA_DIR or DATABASE_URL, MODEL_REGISTRY_DIR; an API key in FRAUDCTL_API_KEY)', default: 'start one' },
  arm: { type: 'string', value: ARM_CHOICES.join('|'), description: 'which feedback reaches the service: chargebacks only, chargebacks and the confirmation app, or both side by side on the same stream', default: 'both' },
  registry: { type: 'string', value: 'DIR', description: 'the registry each started service copies (its champion starts the run)', default: 'MODEL_REGISTRY_DIR, else the repository\'s models' },
  seed: { type: 'string', value: 'N', description: 'seed of the world, the users\' answers and the chargebacks', default: DEFAULT_OPTIONS.seed },
  customers: { type: 'string', value: 'N', description: 'simulated customers', default: DEFAULT_OPTIONS.customers },
  terminals: { type: 'string', value: 'N', description: 'simulated terminals (merchants)', default: DEFAULT_OPTIONS.terminals },
  'start-day': { type: 'string', value: 'K', description: 'world day on which the warm-up starts (the default follows the 183 days the committed champion was built from)', default: 183 },
  'warmup-weeks': { type: 'string', value: 'N', description: 'weeks streamed before measuring: profiles and the decision log fill up, the first retraining needs them', default: 7 },
  weeks: { type: 'string', value: 'N', description: 'measured weeks', default: 8 },
  'card-testing': { type: 'string', value: 'N', description: 'stolen cards tested with tiny payments a day (0: off)', default: 2 },
  'wave-day': { type: 'string', value: 'N|off', description: 'day of the measured weeks (0 = the first) on which a merchant-compromise wave starts', default: 'the middle of the measured weeks' },
  'answer-minutes': { type: 'string', value: 'X', description: 'median time for a user to answer a held payment in the app, minutes (log-normal)', default: DEFAULT_ANSWERS.medianMinutes },
  'answer-sigma': { type: 'string', value: 'X', description: 'spread of the answer time (log-normal sigma)', default: DEFAULT_ANSWERS.sigma },
  'never-answer': { type: 'string', value: 'X', description: 'share of held payments never answered, 0 to 1', default: DEFAULT_ANSWERS.neverShare },
  'retrain-every-days': { type: 'string', value: 'N', description: 'simulated days between retrainings (the first at the end of the warm-up)', default: 7 },
  'maturity-days': { type: 'string', value: 'N', description: 'passed to retrain: unlabelled transactions younger than this are left out', default: 14 },
  'holdout-days': { type: 'string', value: 'N', description: 'passed to retrain: days held out for the gate', default: 7 },
  'validation-days': { type: 'string', value: 'N', description: 'passed to retrain: days for early stopping and thresholds', default: 7 },
  'lookback-days': { type: 'string', value: 'N', description: 'passed to retrain: training days', default: 21 },
  'max-challenge-rate': { type: 'string', value: 'X', description: 'passed to retrain: most payments a new champion may challenge or decline together on its validation days', default: 0.02 },
  concurrency: { type: 'string', value: 'N', description: 'requests in flight at most (event time advances in steps of about this many transactions)', default: 32 },
  report: { type: 'string', value: 'PATH', description: 'the HTML page to write (its directory must exist)', default: 'loop-report.html' },
  'keep-work': { type: 'boolean', description: 'keep each started service\'s data directory and registry (their paths are printed)' },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

const NOTES = [
  'Streams a simulated period through the service in event-time order, compressed in wall time, and plays what follows each answer:',
  'a challenged or declined payment is answered by its owner in the app (most within minutes, some never): fraud victims "not me",',
  'legitimate users "me"; an approved fraud comes back as a chargeback (median 20 days). The chargebacksOnly arm sends only chargebacks;',
  'withApp sends the app\'s answers too. `fraudctl retrain` (with its gate) runs on schedule in simulated time, so champions change.',
  'Figures per measured week and in total: fraud stopped (declined, or challenged and denied) as a share of count and amount, fraud',
  'missed, legitimate friction (challenges and declines of legitimate payments), unanswered challenges, AP and AUC of the served scores,',
  'the champion and each retraining\'s gate; by scenario; and how fast each arm stops the wave. See docs/loop.md.',
];

/** The retrain command's `--json` answer, as far as the loop reads it. */
interface RetrainJson {
  promoted?: boolean;
  champion?: string | null;
  challenger?: string | null;
  reason?: string;
  refused?: string;
  metrics?: { champion?: GateFigures | null; challenger?: GateFigures | null };
  parityChecked?: number;
  parity?: { checked?: number; mismatches?: number };
}

const gateOf = (m: GateFigures | null | undefined): GateFigures | null => (m === null || m === undefined ? null : { ap: m.ap, recallAt1pctFpr: m.recallAt1pctFpr });

/**
 * Runs `fraudctl retrain --json --as-of <asOf> <args>` as its own process (as a scheduler would)
 * with `env` as its environment (the started service's stores) and reduces its answer. A refusal
 * (parity) or a failure (too little history, no labelled fraud in a window) is a run that kept the
 * champion, with the reason.
 */
async function retrainThroughCommand(script: string, asOf: number, env: Readonly<Record<string, string | undefined>>, args: readonly string[]): Promise<RetrainOutcome> {
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  const kept = (reason: string): RetrainOutcome => ({ asOf, promoted: false, champion: null, challenger: null, reason, gate: null, parityChecked: 0, parityMismatches: 0, seconds: seconds() });
  const child = spawn(process.execPath, [script, 'retrain', '--json', '--as-of', new Date(asOf * 1000).toISOString(), ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('close', (c) => resolve(c));
  });
  let r: RetrainJson & { error?: { message?: string } };
  try {
    r = JSON.parse(Buffer.concat(out).toString('utf8')) as RetrainJson & { error?: { message?: string } };
  } catch {
    return kept(`retrain exited ${code ?? 'without starting'} with no result: ${Buffer.concat(err).toString('utf8').trim().slice(0, 300)}`);
  }
  if (r.error !== undefined) return kept(`retrain did not run: ${r.error.message ?? 'no message'}`);
  return {
    asOf,
    promoted: r.promoted === true,
    champion: r.champion ?? null,
    challenger: r.challenger ?? null,
    reason: r.refused !== undefined ? `refused (${r.refused}): ${r.reason ?? ''}` : (r.reason ?? ''),
    gate: r.metrics === undefined ? null : { champion: gateOf(r.metrics.champion), challenger: gateOf(r.metrics.challenger) },
    parityChecked: r.parity?.checked ?? r.parityChecked ?? 0,
    parityMismatches: r.parity?.mismatches ?? 0,
    seconds: seconds(),
  };
}

function fraction(name: string, text: string | undefined, fallback: number): number {
  const v = numberOption(name, text, fallback, 0);
  if (v > 1) throw new UsageError(`--${name} must be a fraction within 0..1, got ${v}`);
  return v;
}

function armsOf(text: string | undefined, url: boolean): ArmName[] {
  const value = text ?? (url ? undefined : 'both');
  if (value === undefined) throw new UsageError(`--url drives one service, so one arm: --arm ${ARM_NAMES.join(' or --arm ')}`);
  if (!(ARM_CHOICES as readonly string[]).includes(value)) throw new UsageError(`--arm must be one of ${ARM_CHOICES.join(', ')}, got "${value}"`);
  if (value === 'both') {
    if (url) throw new UsageError(`--url drives one service, so one arm: --arm ${ARM_NAMES.join(' or --arm ')}`);
    return [...ARM_NAMES];
  }
  return [value as ArmName];
}

/**
 * `fraudctl loop`: the closed loop of challenge, the user's answer in the app, chargebacks and
 * scheduled retraining, measured on a simulated stream (src/loop, docs/loop.md). Prints the
 * side-by-side summary (or with `--json` the whole report) and writes the HTML page.
 */
export const loopCommand: Command = {
  name: 'loop',
  summary: 'simulate the closed loop (app answers, chargebacks, weekly retraining) against a service and report both arms',
  usage: 'loop [options]',
  options: OPTIONS,
  notes: NOTES,
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const json = values.json === true;
    const url = values.url;
    const arms = armsOf(values.arm, url !== undefined);
    const weeks = intOption('weeks', values.weeks, OPTIONS.weeks.default, 1);
    const waveText = values['wave-day'];
    const waveDay = waveText === 'off' ? null : waveText === undefined ? Math.floor((weeks * 7) / 2) : intOption('wave-day', waveText, 0, 0);
    if (waveDay !== null && waveDay >= weeks * 7) throw new UsageError(`--wave-day must fall within the ${weeks * 7} measured days, got ${waveDay}`);
    let answers;
    try {
      answers = checkAnswerBehaviour({
        medianMinutes: numberOption('answer-minutes', values['answer-minutes'], OPTIONS['answer-minutes'].default, 0),
        sigma: numberOption('answer-sigma', values['answer-sigma'], OPTIONS['answer-sigma'].default, 0),
        neverShare: fraction('never-answer', values['never-answer'], OPTIONS['never-answer'].default),
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const retrainArgs = [
      '--maturity-days', String(intOption('maturity-days', values['maturity-days'], OPTIONS['maturity-days'].default, 0)),
      '--holdout-days', String(intOption('holdout-days', values['holdout-days'], OPTIONS['holdout-days'].default, 1)),
      '--validation-days', String(intOption('validation-days', values['validation-days'], OPTIONS['validation-days'].default, 1)),
      '--lookback-days', String(intOption('lookback-days', values['lookback-days'], OPTIONS['lookback-days'].default, 1)),
      '--max-challenge-rate', String(fraction('max-challenge-rate', values['max-challenge-rate'], OPTIONS['max-challenge-rate'].default)),
    ];
    const script = fraudctlScript();
    const target: LoopTarget =
      url === undefined
        ? {
            kind: 'start',
            fraudctlScript: script,
            registryDir: requireRegistry(resolve(values.registry ?? io.env.MODEL_REGISTRY_DIR ?? join(projectRoot(), 'models'))),
            keepWorkDir: values['keep-work'] === true,
          }
        : { kind: 'url', url, apiKey: io.env.FRAUDCTL_API_KEY || null, env: io.env };
    const reportPath = resolve(values.report ?? OPTIONS.report.default);
    let progress: Progress | null = null;
    const done = new Map<ArmName, number>();
    const report = await runLoop({
      world: {
        seed: intOption('seed', values.seed, OPTIONS.seed.default),
        customers: intOption('customers', values.customers, OPTIONS.customers.default, 1),
        terminals: intOption('terminals', values.terminals, OPTIONS.terminals.default, 1),
        startDate: DEFAULT_OPTIONS.startDate,
      },
      startDay: intOption('start-day', values['start-day'], OPTIONS['start-day'].default, 0),
      warmupDays: 7 * intOption('warmup-weeks', values['warmup-weeks'], OPTIONS['warmup-weeks'].default, 0),
      weeks,
      cardTestingPerDay: intOption('card-testing', values['card-testing'], OPTIONS['card-testing'].default, 0),
      waveDay,
      answers,
      retrainEveryDays: intOption('retrain-every-days', values['retrain-every-days'], OPTIONS['retrain-every-days'].default, 1),
      arms,
      concurrency: intOption('concurrency', values.concurrency, OPTIONS.concurrency.default, 1),
      target,
      retrain: (asOf, env) => retrainThroughCommand(script, asOf, env, retrainArgs),
      onStage: (message) => {
        if (json) return;
        progress?.stop();
        progress = null;
        io.stderr.write(`loop: ${message}\n`);
      },
      onProgress: (arm, rows, total) => {
        done.set(arm, rows);
        progress ??= createProgress(io, 'loop (payments, all arms)', total * arms.length, json);
        progress.update([...done.values()].reduce((a, b) => a + b, 0));
      },
    });
    (progress as Progress | null)?.stop();
    writeFileSync(reportPath, renderLoopReport(report));
    if (json) printJson(io, { ...report, report: reportPath });
    else {
      io.stdout.write(formatLoopSummary(report));
      io.stderr.write(`loop: wrote ${reportPath} (${report.seconds} s)\n`);
    }
    return 0;
  },
};
