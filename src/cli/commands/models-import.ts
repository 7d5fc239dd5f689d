import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { defaultActor } from '../../model/registry/registry-history';
import { datasetHash } from '../../training/dataset-hash';
import { loadDataset } from '../../training/dataset/load-dataset';
import { ImportRefused, importModel } from '../../training/import-model';
import { HANDBOOK_SPLIT } from '../../training/protocol/time-split';
import { intOption, numberOption, parseOptions, requireOption } from '../args';
import { CommandExit, printJson, UsageError, type CliIO } from '../command';
import { registryDir } from './models';

const OPTIONS = {
  dataset: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  'output-column': { type: 'string' },
  'train-start': { type: 'string' },
  'max-challenge-rate': { type: 'string' },
  'min-decline-precision': { type: 'string' },
  registry: { type: 'string' },
  promote: { type: 'boolean' },
  actor: { type: 'string' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const MODELS_IMPORT_USAGE =
  'models import FILE --dataset DIR [--input NAME] [--output NAME] [--output-column N] [--train-start YYYY-MM-DD] ' +
  '[--max-challenge-rate X] [--min-decline-precision X] [--registry DIR] [--promote] [--actor NAME] [--reason TEXT] [--json]';

/**
 * `fraudctl models import`: validates a foreign ONNX binary classifier, evaluates it on the
 * dataset's handbook windows, signs it and adds it to the registry (promoted with --promote).
 * A refusal prints `REFUSED: <why>` (and `{"refused"}` with --json) and exits 1.
 */
export async function runModelsImport(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, true);
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('import needs the ONNX FILE');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const json = values.json === true;
  const datasetDir = requireOption('dataset', values.dataset);
  let onnx: Uint8Array;
  try {
    onnx = readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
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
        maxChallengeRate: numberOption('max-challenge-rate', values['max-challenge-rate'], 0.02, 0),
        minDeclinePrecision: numberOption('min-decline-precision', values['min-decline-precision'], 0.9, 0),
      },
      parent: registry.pointer()?.version ?? null,
      now: new Date(),
    });
  } catch (err) {
    if (!(err instanceof ImportRefused)) throw err;
    if (json) printJson(io, { refused: err.message });
    throw new CommandExit(`REFUSED: ${file}: ${err.message}`, 1);
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
