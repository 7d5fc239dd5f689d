import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { defaultActor } from '../../model/registry/registry-history';
import { datasetHash } from '../../training/dataset-hash';
import { loadDataset } from '../../training/dataset/load-dataset';
import { ImportRefused, importModel } from '../../training/import-model';
import { HANDBOOK_SPLIT } from '../../training/protocol/time-split';
import { intOption, numberOption, parseOptions, requireOption } from '../args';
import { CommandExit, printJson, UsageError, type CliIO, type CommandAction } from '../command';
import { DATASET_OPTION, PROMOTE_OPTION, REGISTRY_OPTION, registryDir, THRESHOLD_OPTIONS, TRAIN_START_OPTION } from '../common-options';
import { requireDataset, requireInput } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';

const OPTIONS = {
  dataset: { ...DATASET_OPTION, description: 'the dataset directory (fraudctl build-dataset) the model is evaluated on, on its handbook windows' },
  input: { type: 'string', value: 'NAME', description: 'the graph input to feed the feature vector', default: 'its one float tensor input' },
  output: { type: 'string', value: 'NAME', description: 'the graph output with the probabilities', default: 'its one float tensor output' },
  'output-column': { type: 'string', value: 'N', description: 'the output column holding P(fraud)', default: '1 for an [N, 2] output, else 0' },
  'train-start': TRAIN_START_OPTION,
  ...THRESHOLD_OPTIONS,
  registry: { ...REGISTRY_OPTION, description: 'the model registry the model is added to (created when missing)' },
  promote: PROMOTE_OPTION,
  actor: { type: 'string', value: 'NAME', description: 'who promotes, for the audit trail (with --promote)', default: 'MODEL_ACTOR, else user@host' },
  reason: { type: 'string', value: 'TEXT', description: 'why, for the audit trail (with --promote)', default: '"fraudctl models import FILE --promote"' },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

/**
 * `fraudctl models import`: validates a foreign ONNX binary classifier, evaluates it on the
 * dataset's handbook windows, signs it and adds it to the registry (promoted with --promote).
 * A refusal prints `REFUSED: <why>` (and `{"refused"}` with --json) and exits 1; a missing FILE or
 * dataset ends it with `not_found` (exit 2).
 */
export const modelsImportAction: CommandAction = {
  name: 'import',
  summary: 'validate, evaluate, sign and register a binary classifier trained elsewhere (ONNX)',
  usage: 'models import FILE --dataset DIR [options]',
  options: OPTIONS,
  notes: [
    'FILE: an ONNX graph whose input is a float tensor [N, <features>] and whose output is probabilities [N], [N, 1] or [N, 2], and which answers a',
    'probability for rows with missing values (NaN: put an Imputer first). Anything else is refused with the reason. It serves without reason codes.',
  ],
  run: runModelsImport,
};

async function runModelsImport(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, true);
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('import needs the ONNX FILE');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const json = values.json === true;
  const datasetDir = requireDataset(requireOption('dataset', values.dataset));
  const onnx = readFileSync(requireInput('ONNX model', file));
  const registry = openRegistry(registryDir(values.registry, io.env), trustSettingsFromEnv(io.env), { sign: true, onNote: (m) => void (json ? undefined : io.stderr.write(`models import: ${m}\n`)) });
  let imported;
  try {
    imported = await importModel({
      onnx,
      source: basename(file),
      ...(values.input === undefined ? {} : { input: values.input }),
      ...(values.output === undefined ? {} : { output: values.output }),
      ...(values['output-column'] === undefined ? {} : { outputColumn: intOption('output-column', values['output-column'], 0, 0) }),
      dataset: loadDataset(datasetDir),
      datasetHash: datasetHash(datasetDir),
      split: { ...HANDBOOK_SPLIT, ...(values['train-start'] === undefined ? {} : { trainStart: values['train-start'] }) },
      thresholdTargets: {
        maxChallengeRate: numberOption('max-challenge-rate', values['max-challenge-rate'], OPTIONS['max-challenge-rate'].default, 0),
        minDeclinePrecision: numberOption('min-decline-precision', values['min-decline-precision'], OPTIONS['min-decline-precision'].default, 0),
      },
      parent: registry.pointer()?.version ?? null,
      now: new Date(),
    });
  } catch (err) {
    if (!(err instanceof ImportRefused)) throw err;
    if (json) printJson(io, { refused: err.message });
    throw new CommandExit(`REFUSED: ${file}: ${err.message}`, 'refused');
  }
  const entry = registry.add(imported.metadata, { ...imported.files, 'report.html': imported.reportHtml });
  const promoted = values.promote === true;
  if (promoted) registry.promote(entry.metadata.version, new Date(), { actor: values.actor ?? defaultActor(io.env), reason: values.reason ?? `fraudctl models import ${basename(file)} --promote` });
  const m = imported.test.metrics;
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  const summary = {
    version: entry.metadata.version,
    onnx: entry.metadata.onnx,
    thresholds: { challenge: entry.metadata.thresholds.challenge, decline: entry.metadata.thresholds.decline },
    metrics: { auc: round(m.auc), ap: round(m.ap), cpAt100: round(m.cpAt100), recallAt1pctFpr: round(m.recallAt1pctFpr) },
    reasonCodes: false,
    promoted,
  };
  if (json) printJson(io, summary);
  else {
    io.stderr.write(
      `imported ${summary.version} from ${file}: AUC ${summary.metrics.auc}, AP ${summary.metrics.ap}, CP@100 ${summary.metrics.cpAt100}, ` +
        `recall@1%FPR ${summary.metrics.recallAt1pctFpr}; served without reason codes (not a tree ensemble with an explainer)` +
        `${promoted ? '; promoted to champion' : ''}\n`,
    );
  }
  return 0;
}
