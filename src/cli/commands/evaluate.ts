import { featureSpecHash } from '../../model/feature-spec-hash';
import { OnnxModel } from '../../model/onnx-model';
import { ModelRegistry, RegistryError, type RegistryEntry } from '../../model/registry/model-registry';
import { loadDataset } from '../../training/dataset/load-dataset';
import { evaluateScores } from '../../training/metrics';
import { gatherRows, HANDBOOK_SPLIT, timeSplit, trueLabels } from '../../training/protocol/time-split';
import { parseOptions, requireOption } from '../args';
import { CommandExit, printJson, type Command } from '../command';
import { DATASET_OPTION, REGISTRY_OPTION, registryDir, TRAIN_START_OPTION } from '../common-options';
import { requireDataset, requireRegistry } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';

const OPTIONS = {
  dataset: DATASET_OPTION,
  model: { type: 'string', value: 'VERSION', description: 'the registry model to score', default: 'the champion' },
  registry: REGISTRY_OPTION,
  'train-start': TRAIN_START_OPTION,
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'score a registry model on a dataset\'s handbook test weeks (AUC, AP, CP@100, recall@1%FPR)',
  usage: 'evaluate --dataset DIR [options]',
  options: OPTIONS,
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const dataset = loadDataset(requireDataset(requireOption('dataset', values.dataset)));
    const registry = new ModelRegistry(requireRegistry(registryDir(values.registry, io.env)));
    let entry: RegistryEntry | null;
    try {
      entry = values.model === undefined ? registry.champion() : registry.get(values.model);
    } catch (err) {
      if (err instanceof RegistryError) throw new CommandExit(`evaluate: ${err.message}`, 'not_found');
      throw err;
    }
    if (entry === null) throw new CommandExit(`evaluate: no champion in ${registry.root}; pass --model VERSION`, 'not_found');
    const split = timeSplit(dataset.sidecar, { ...HANDBOOK_SPLIT, ...(values['train-start'] === undefined ? {} : { trainStart: values['train-start'] }) });
    const model = await OnnxModel.load(entry.dir, entry.metadata, { expectedSpecHash: featureSpecHash(), threads: 2 });
    const cols = dataset.sidecar.featureNames.length;
    let scores: Float32Array;
    try {
      scores = await model.scoreBatch(gatherRows(dataset.matrix, cols, split.testRows), split.testRows.length);
    } finally {
      await model.close();
    }
    const { userId, timestamp } = dataset.sidecar.columns;
    const e = evaluateScores({
      scores,
      labels: trueLabels(dataset.sidecar, split.testRows),
      cardIds: Array.from(split.testRows, (r) => userId[r] as string),
      days: Float64Array.from(split.testRows, (r) => Math.floor((timestamp[r] as number) / 86_400)),
    });
    const result = { version: entry.metadata.version, rows: e.rows, frauds: e.frauds, metrics: e.metrics };
    if (values.json === true) printJson(io, result);
    else {
      const m = e.metrics;
      io.stdout.write(`${entry.metadata.version} on ${e.rows} test transactions (${e.frauds} frauds): AUC ${m.auc.toFixed(4)}  AP ${m.ap.toFixed(4)}  CP@100 ${m.cpAt100.toFixed(4)}  recall@1%FPR ${m.recallAt1pctFpr.toFixed(4)}\n`);
    }
    return 0;
  },
};
