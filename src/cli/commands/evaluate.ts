import { featureSpecHash } from '../../model/feature-spec-hash';
import { OnnxModel } from '../../model/onnx-model';
import { ModelRegistry } from '../../model/registry/model-registry';
import { loadDataset } from '../../training/dataset/load-dataset';
import { evaluateScores } from '../../training/metrics';
import { gatherRows, HANDBOOK_SPLIT, timeSplit, trueLabels } from '../../training/protocol/time-split';
import { parseOptions, requireOption } from '../args';
import { printJson, type Command } from '../command';
import { registryDir } from './models';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'score a registry model on a dataset\'s handbook test weeks (AUC, AP, CP@100, recall@1%FPR)',
  usage: 'evaluate --dataset DIR [--model VERSION (default: the champion)] [--registry DIR] [--train-start YYYY-MM-DD] [--json]',
  async run(args, io) {
    const { values } = parseOptions(args, { dataset: { type: 'string' }, model: { type: 'string' }, registry: { type: 'string' }, 'train-start': { type: 'string' }, json: { type: 'boolean' } });
    const dataset = loadDataset(requireOption('dataset', values.dataset));
    const registry = new ModelRegistry(registryDir(values.registry, io.env));
    const entry = values.model === undefined ? registry.champion() : registry.get(values.model);
    if (entry === null) throw new Error(`no champion in ${registry.root}; pass --model VERSION`);
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
