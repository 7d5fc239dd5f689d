import { Cron } from 'croner';
import { openDecisionHistory } from '../../events/open-decision-history';
import { featureSpecHash } from '../../model/feature-spec-hash';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { defaultActor } from '../../model/registry/registry-history';
import { readSeed } from '../../store/profile-snapshot';
import { ParityError, retrain, type RetrainResult } from '../../training/retrain/retrain';
import { intOption, numberOption, parseOptions } from '../args';
import { printJson, UsageError, type CliIO, type Command } from '../command';
import { configFromEnv, xgboostFromEnv } from '../environment';
import { pruneSummary, runPrune, type PruneReport } from './prune';

const OPTIONS = {
  'as-of': { type: 'string' },
  'maturity-days': { type: 'string' },
  'holdout-days': { type: 'string' },
  'validation-days': { type: 'string' },
  'lookback-days': { type: 'string' },
  'ap-margin': { type: 'string' },
  'max-depth': { type: 'string' },
  eta: { type: 'string' },
  rounds: { type: 'string' },
  threads: { type: 'string' },
  seed: { type: 'string' },
  schedule: { type: 'string' },
  json: { type: 'boolean' },
} as const;

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
  usage:
    'retrain [--as-of ISO] [--maturity-days N] [--holdout-days N] [--validation-days N] [--lookback-days N] [--ap-margin X] ' +
    '[--max-depth N] [--eta X] [--rounds N] [--threads N] [--seed N] [--schedule CRON] [--json]   (stores from the service\'s environment)',
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const config = configFromEnv(io);
    const asOfText = values['as-of'];
    if (asOfText !== undefined && Number.isNaN(Date.parse(asOfText))) throw new UsageError(`--as-of must be an ISO 8601 date-time, got "${asOfText}"`);
    const json = values.json === true;
    const xgb = xgboostFromEnv(io);
    const settings = {
      maturityDays: intOption('maturity-days', values['maturity-days'], 30, 0),
      holdoutDays: intOption('holdout-days', values['holdout-days'], 7, 1),
      validationDays: intOption('validation-days', values['validation-days'], 7, 1),
      lookbackDays: intOption('lookback-days', values['lookback-days'], 60, 1),
      apMargin: numberOption('ap-margin', values['ap-margin'], 0.01, 0),
      params: {
        maxDepth: intOption('max-depth', values['max-depth'], 6, 1),
        eta: numberOption('eta', values.eta, 0.1, 0),
        subsample: 0.8,
        colsampleBytree: 0.8,
        nthread: intOption('threads', values.threads, 2, 1),
        seed: intOption('seed', values.seed, 42, 0),
        verbosity: 0 as const,
      },
      rounds: intOption('rounds', values.rounds, 500, 1),
      earlyStoppingRounds: 50,
      thresholdTargets: { maxChallengeRate: 0.02, minDeclinePrecision: 0.9 },
    };
    const runOnce = async (out: CliIO): Promise<number> => {
      const history = await openDecisionHistory(config);
      try {
        const seedProfiles = await readSeed(config.PROFILE_SNAPSHOT);
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
