import { Cron } from 'croner';
import { openDecisionHistory } from '../../records/open-decision-history';
import { featureSpecHash } from '../../model/feature-spec-hash';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { defaultActor } from '../../model/registry/registry-history';
import { ParityError, retrain, type RetrainResult } from '../../training/retrain/retrain';
import { intOption, numberOption, parseOptions } from '../args';
import { printJson, UsageError, type CliIO, type Command } from '../command';
import { configFromEnv, xgboostFromEnv } from '../environment';
import { readSeedOf, requireRegistry } from '../inputs';
import { THRESHOLD_OPTIONS } from '../common-options';
import { JSON_OPTION, type OptionSpecs } from '../options';
import { pruneSummary, runPrune, type PruneReport } from './prune';

const OPTIONS = {
  'as-of': { type: 'string', value: 'ISO', description: 'the moment of retraining: only labels known by then count, the windows end then', default: 'now' },
  'maturity-days': { type: 'string', value: 'N', description: 'unlabelled transactions younger than this are left out; older ones count as legitimate', default: 30 },
  'holdout-days': { type: 'string', value: 'N', description: 'the most recent matured days, held out to compare challenger and champion', default: 7 },
  'validation-days': { type: 'string', value: 'N', description: 'days before the holdout used for early stopping and thresholds', default: 7 },
  'lookback-days': { type: 'string', value: 'N', description: 'training days before the validation days', default: 60 },
  'ap-margin': { type: 'string', value: 'X', description: 'promote only if the challenger\'s holdout AP beats the champion\'s by this much (and its recall at 1% FPR is not worse)', default: 0.01 },
  'max-depth': { type: 'string', value: 'N', description: 'XGBoost max_depth', default: 6 },
  eta: { type: 'string', value: 'X', description: 'XGBoost learning rate', default: 0.1 },
  rounds: { type: 'string', value: 'N', description: 'boosting rounds at most', default: 500 },
  threads: { type: 'string', value: 'N', description: 'XGBoost threads', default: 2 },
  seed: { type: 'string', value: 'N', description: 'XGBoost seed', default: 42 },
  ...THRESHOLD_OPTIONS,
  schedule: { type: 'string', value: 'CRON', description: 'keep running and retrain on this cron schedule (seconds field optional) until SIGTERM', default: 'run once' },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

/** The process's peak resident memory so far, MiB (Linux: VmHWM). */
function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function summary(r: RetrainResult, prune: PruneReport) {
  return {
    promoted: r.promoted,
    champion: r.champion,
    challenger: r.challenger,
    reason: r.reason,
    metrics: r.metrics,
    parityMismatchRate: r.parity.mismatchRate,
    parityChecked: r.parity.checked,
    parity: r.parity,
    rows: r.rows,
    prune,
    peakRssMiB: peakRssMiB(),
  };
}

export const retrainCommand: Command = {
  name: 'retrain',
  summary: 'decision log + labels -> parity check -> train -> gate -> promote (optionally on a schedule)',
  usage: 'retrain [options]',
  options: OPTIONS,
  notes: [
    'The decision log, labels, MODEL_REGISTRY_DIR, retention and the PROFILE_SNAPSHOT seed come from the service\'s environment. A parity',
    'refusal (the log\'s vectors do not match a replay) prints RETRAIN REFUSED (with --json its result) and exits 1.',
  ],
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const config = configFromEnv(io);
    const asOfText = values['as-of'];
    if (asOfText !== undefined && Number.isNaN(Date.parse(asOfText))) throw new UsageError(`--as-of must be an ISO 8601 date-time, got "${asOfText}"`);
    const json = values.json === true;
    const xgb = xgboostFromEnv(io);
    const settings = {
      maturityDays: intOption('maturity-days', values['maturity-days'], OPTIONS['maturity-days'].default, 0),
      holdoutDays: intOption('holdout-days', values['holdout-days'], OPTIONS['holdout-days'].default, 1),
      validationDays: intOption('validation-days', values['validation-days'], OPTIONS['validation-days'].default, 1),
      lookbackDays: intOption('lookback-days', values['lookback-days'], OPTIONS['lookback-days'].default, 1),
      apMargin: numberOption('ap-margin', values['ap-margin'], OPTIONS['ap-margin'].default, 0),
      params: {
        maxDepth: intOption('max-depth', values['max-depth'], OPTIONS['max-depth'].default, 1),
        eta: numberOption('eta', values.eta, OPTIONS.eta.default, 0),
        subsample: 0.8,
        colsampleBytree: 0.8,
        nthread: intOption('threads', values.threads, OPTIONS.threads.default, 1),
        seed: intOption('seed', values.seed, OPTIONS.seed.default, 0),
        verbosity: 0 as const,
      },
      rounds: intOption('rounds', values.rounds, OPTIONS.rounds.default, 1),
      earlyStoppingRounds: 50,
      thresholdTargets: {
        maxChallengeRate: numberOption('max-challenge-rate', values['max-challenge-rate'], OPTIONS['max-challenge-rate'].default, 0),
        minDeclinePrecision: numberOption('min-decline-precision', values['min-decline-precision'], OPTIONS['min-decline-precision'].default, 0),
      },
    };
    const runOnce = async (out: CliIO): Promise<number> => {
      // A mistyped MODEL_REGISTRY_DIR is not a new registry to promote into.
      requireRegistry(config.MODEL_REGISTRY_DIR, 'MODEL_REGISTRY_DIR');
      const seedProfiles = await readSeedOf(config);
      const history = await openDecisionHistory(config);
      try {
        const now = new Date();
        const asOf = Math.floor((asOfText === undefined ? now.getTime() : Date.parse(asOfText)) / 1000);
        const registry = openRegistry(config.MODEL_REGISTRY_DIR, trustSettingsFromEnv(io.env), { sign: true, onNote: (m) => void (json ? undefined : out.stderr.write(`retrain: ${m}\n`)) });
        const result = await retrain({ xgb, history, registry, specHash: featureSpecHash(), asOf, now, actor: defaultActor(io.env), ...settings, seedProfiles });
        // Retention after a run that went through: never into the window the next run reads.
        const windowDays = settings.maturityDays + settings.holdoutDays + settings.validationDays + settings.lookbackDays;
        const prune = await runPrune(out, {
          history,
          seed: seedProfiles,
          policy: { retentionDays: config.DECISION_LOG_RETENTION_DAYS, maxEventAgeSeconds: config.EVENT_MAX_AGE_S, keepFrom: asOf - windowDays * 86_400 },
          now,
          json,
        });
        if (json) printJson(out, summary(result, prune));
        else {
          out.stderr.write(
            `${result.promoted ? 'promoted' : 'kept the champion'}: challenger ${result.challenger} (${result.reason}); ` +
              `parity ${result.parity.mismatches}/${result.parity.checked} mismatches (${result.parity.degraded.total} degraded left out); peak RSS ${peakRssMiB()} MiB\n${pruneSummary(prune)}\n`,
          );
        }
        return 0;
      } catch (err) {
        if (err instanceof ParityError) {
          if (json) printJson(out, { promoted: false, refused: 'parity', reason: err.message, parity: err.parity, peakRssMiB: peakRssMiB() });
          out.stderr.write(`RETRAIN REFUSED: ${err.message}\n`);
          return 1;
        }
        throw err;
      } finally {
        await history.close();
      }
    };
    if (values.schedule === undefined) return runOnce(io);
    let cron: Cron;
    try {
      cron = new Cron(values.schedule, { protect: true }, async () => {
        try {
          await runOnce(io);
        } catch (err) {
          io.stderr.write(`retrain run failed: ${(err as Error).message}\n`);
        }
      });
    } catch (err) {
      throw new UsageError(`--schedule is not a valid cron expression: ${(err as Error).message}`);
    }
    io.stderr.write(`retraining on schedule "${values.schedule}"; next run ${cron.nextRun()?.toISOString() ?? 'never'}\n`);
    return new Promise<number>((resolve) => {
      const stop = () => {
        cron.stop();
        resolve(0);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  },
};
