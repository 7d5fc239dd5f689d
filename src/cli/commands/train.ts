import { join } from 'node:path';
import { datasetHash } from '../../training/dataset-hash';
import { loadDataset } from '../../training/dataset/load-dataset';
import { HANDBOOK_SPLIT, type SplitOptions } from '../../training/protocol/time-split';
import { trainModel } from '../../training/train-model';
import { intOption, numberOption, parseOptions, requireOption } from '../args';
import { printJson, UsageError, type Command } from '../command';
import { xgboostFromEnv } from '../environment';
import { registryDir } from './models';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { defaultActor } from '../../model/registry/registry-history';

const OPTIONS = {
  dataset: { type: 'string' },
  registry: { type: 'string' },
  protocol: { type: 'string' },
  'train-start': { type: 'string' },
  'max-depth': { type: 'string' },
  eta: { type: 'string' },
  rounds: { type: 'string' },
  'early-stopping': { type: 'string' },
  subsample: { type: 'string' },
  colsample: { type: 'string' },
  'min-child-weight': { type: 'string' },
  threads: { type: 'string' },
  seed: { type: 'string' },
  'prequential-folds': { type: 'string' },
  'max-challenge-rate': { type: 'string' },
  'min-decline-precision': { type: 'string' },
  promote: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a challenger with XGBoost, evaluate it, write it into the registry',
  usage:
    'train --dataset DIR [--registry DIR] [--protocol handbook] [--train-start YYYY-MM-DD] [--max-depth N] [--eta X] ' +
    '[--rounds N] [--early-stopping N] [--subsample X] [--colsample X] [--min-child-weight X] [--threads N] [--seed N] ' +
    '[--prequential-folds N] [--max-challenge-rate X] [--min-decline-precision X] [--promote] [--json]',
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const datasetDir = requireOption('dataset', values.dataset);
    const protocol = values.protocol ?? 'handbook';
    if (protocol !== 'handbook') throw new UsageError(`unknown protocol "${protocol}" (supported: handbook)`);
    const split: SplitOptions = { ...HANDBOOK_SPLIT, ...(values['train-start'] === undefined ? {} : { trainStart: values['train-start'] }) };
    const json = values.json === true;
    const threads = intOption('threads', values.threads, 2, 1);
    const started = process.hrtime.bigint();
    const xgb = xgboostFromEnv(io);
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
        maxDepth: intOption('max-depth', values['max-depth'], 6, 1),
        eta: numberOption('eta', values.eta, 0.1, 0),
        subsample: numberOption('subsample', values.subsample, 0.8, 0),
        colsampleBytree: numberOption('colsample', values.colsample, 0.8, 0),
        minChildWeight: numberOption('min-child-weight', values['min-child-weight'], 1, 0),
        nthread: threads,
        seed: intOption('seed', values.seed, 42, 0),
        verbosity: 0,
      },
      rounds: intOption('rounds', values.rounds, 500, 1),
      earlyStoppingRounds: intOption('early-stopping', values['early-stopping'], 50, 1),
      thresholdTargets: {
        maxChallengeRate: numberOption('max-challenge-rate', values['max-challenge-rate'], 0.02, 0),
        minDeclinePrecision: numberOption('min-decline-precision', values['min-decline-precision'], 0.9, 0),
      },
      prequentialFolds: intOption('prequential-folds', values['prequential-folds'], 4, 1),
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
