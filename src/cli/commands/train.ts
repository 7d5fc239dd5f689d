import { join } from 'node:path';
import { datasetHash } from '../../training/dataset-hash';
import { loadDataset } from '../../training/dataset/load-dataset';
import { HANDBOOK_SPLIT, type SplitOptions } from '../../training/protocol/time-split';
import { trainModel } from '../../training/train-model';
import { intOption, numberOption, parseOptions, requireOption } from '../args';
import { printJson, UsageError, type Command } from '../command';
import { DATASET_OPTION, PROMOTE_OPTION, REGISTRY_OPTION, registryDir, THRESHOLD_OPTIONS, TRAIN_START_OPTION } from '../common-options';
import { requireDataset } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';
import { xgboostFromEnv } from '../environment';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { defaultActor } from '../../model/registry/registry-history';

const OPTIONS = {
  dataset: DATASET_OPTION,
  registry: { ...REGISTRY_OPTION, description: 'the model registry the challenger is written into (created when missing)' },
  protocol: { type: 'string', value: 'NAME', description: 'the evaluation protocol (only handbook: train, delay and test weeks)', default: 'handbook' },
  'train-start': TRAIN_START_OPTION,
  'max-depth': { type: 'string', value: 'N', description: 'XGBoost max_depth', default: 6 },
  eta: { type: 'string', value: 'X', description: 'XGBoost learning rate', default: 0.1 },
  rounds: { type: 'string', value: 'N', description: 'boosting rounds at most', default: 500 },
  'early-stopping': { type: 'string', value: 'N', description: 'stop after this many rounds without a better validation AP', default: 50 },
  subsample: { type: 'string', value: 'X', description: 'XGBoost subsample (share of rows per tree)', default: 0.8 },
  colsample: { type: 'string', value: 'X', description: 'XGBoost colsample_bytree (share of features per tree)', default: 0.8 },
  'min-child-weight': { type: 'string', value: 'X', description: 'XGBoost min_child_weight', default: 1 },
  threads: { type: 'string', value: 'N', description: 'XGBoost threads', default: 2 },
  seed: { type: 'string', value: 'N', description: 'XGBoost seed', default: 42 },
  'prequential-folds': { type: 'string', value: 'N', description: 'prequential folds (the split moved back a week per fold) for the metrics\' mean and spread (1: off)', default: 4 },
  ...THRESHOLD_OPTIONS,
  promote: PROMOTE_OPTION,
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a challenger with XGBoost, evaluate it, write it into the registry',
  usage: 'train --dataset DIR [options]',
  options: OPTIONS,
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const datasetDir = requireOption('dataset', values.dataset);
    const protocol = values.protocol ?? OPTIONS.protocol.default;
    if (protocol !== 'handbook') throw new UsageError(`unknown protocol "${protocol}" (supported: handbook)`);
    const split: SplitOptions = { ...HANDBOOK_SPLIT, ...(values['train-start'] === undefined ? {} : { trainStart: values['train-start'] }) };
    const json = values.json === true;
    const threads = intOption('threads', values.threads, OPTIONS.threads.default, 1);
    const started = process.hrtime.bigint();
    const xgb = xgboostFromEnv(io);
    requireDataset(datasetDir);
    const registry = openRegistry(registryDir(values.registry, io.env), trustSettingsFromEnv(io.env), { sign: true, onNote: (m) => void (json ? undefined : io.stderr.write(`train: ${m}\n`)) });
    const stage = (s: string) => {
      if (!json && io.isTTY) io.stderr.write(`train: ${s}...\n`);
    };
    stage('load dataset');
    const dataset = loadDataset(datasetDir);
    const trained = await trainModel({
      xgb,
      dataset,
      datasetHash: datasetHash(datasetDir),
      split,
      protocol,
      params: {
        maxDepth: intOption('max-depth', values['max-depth'], OPTIONS['max-depth'].default, 1),
        eta: numberOption('eta', values.eta, OPTIONS.eta.default, 0),
        subsample: numberOption('subsample', values.subsample, OPTIONS.subsample.default, 0),
        colsampleBytree: numberOption('colsample', values.colsample, OPTIONS.colsample.default, 0),
        minChildWeight: numberOption('min-child-weight', values['min-child-weight'], OPTIONS['min-child-weight'].default, 0),
        nthread: threads,
        seed: intOption('seed', values.seed, OPTIONS.seed.default, 0),
        verbosity: 0,
      },
      rounds: intOption('rounds', values.rounds, OPTIONS.rounds.default, 1),
      earlyStoppingRounds: intOption('early-stopping', values['early-stopping'], OPTIONS['early-stopping'].default, 1),
      thresholdTargets: {
        maxChallengeRate: numberOption('max-challenge-rate', values['max-challenge-rate'], OPTIONS['max-challenge-rate'].default, 0),
        minDeclinePrecision: numberOption('min-decline-precision', values['min-decline-precision'], OPTIONS['min-decline-precision'].default, 0),
      },
      prequentialFolds: intOption('prequential-folds', values['prequential-folds'], OPTIONS['prequential-folds'].default, 1),
      parent: registry.pointer()?.version ?? null,
      now: new Date(),
      onStage: stage,
    });
    const entry = registry.add(trained.metadata, { ...trained.files, 'report.html': trained.reportHtml });
    if (values.promote === true) registry.promote(entry.metadata.version, new Date(), { actor: defaultActor(io.env), reason: 'fraudctl train --promote' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const m = trained.test.metrics;
    const round = (x: number) => Math.round(x * 10_000) / 10_000;
    const summary = {
      version: entry.metadata.version,
      metrics: { auc: round(m.auc), ap: round(m.ap), cpAt100: round(m.cpAt100), recallAt1pctFpr: round(m.recallAt1pctFpr) },
      prequential: trained.prequential === null ? null : { mean: trained.prequential.mean, std: trained.prequential.std },
      promoted: values.promote === true,
      seconds: Math.round(seconds * 100) / 100,
    };
    if (json) printJson(io, summary);
    else {
      io.stderr.write(
        `trained ${summary.version} in ${summary.seconds} s: AUC ${summary.metrics.auc}, AP ${summary.metrics.ap}, ` +
          `CP@100 ${summary.metrics.cpAt100}, recall@1%FPR ${summary.metrics.recallAt1pctFpr}\n` +
          `report: ${join(entry.dir, 'report.html')}${summary.promoted ? ' (promoted to champion)' : ''}\n`,
      );
    }
    return 0;
  },
};
