import { InferenceSession, Tensor } from 'onnxruntime-node';
import { FEATURE_NAMES } from '../../features';
import { featureSpecHash } from '../model/feature-spec-hash';
import { OnnxModel } from '../model/onnx-model';
import type { ModelMetadata } from '../model/registry/model-metadata';
import { sha256Hex } from '../model/registry/model-registry';
import type { Dataset } from './dataset/load-dataset';
import { datasetDriftReference, datasetTestBreakdown, evaluateServed, metadataDrift, windowDays } from './evaluate-served';
import type { Evaluation } from './metrics';
import { isoDay, timeSplit, type SplitOptions } from './protocol/time-split';
import { renderReport } from './report';
import type { ThresholdTargets } from './thresholds';
import { modelVersion } from './train-model';

/** Why a foreign model cannot be served; nothing was written. */
export class ImportRefused extends Error {
  override readonly name = 'ImportRefused';
}

export interface ImportModelOptions {
  /** The ONNX file's bytes. */
  readonly onnx: Uint8Array;
  /** Where it came from (recorded in model.json's trainer params and the report). */
  readonly source: string;
  /** Input to feed (default: the model's only input). */
  readonly input?: string;
  /** Output holding P(fraud) (default: the model's only float tensor output). */
  readonly output?: string;
  /** Column of a [N, 2] output holding P(fraud) (default 1 for two columns, 0 for one). */
  readonly outputColumn?: number;
  readonly dataset: Dataset;
  readonly datasetHash: string;
  readonly split: SplitOptions;
  readonly thresholdTargets: ThresholdTargets;
  readonly parent: string | null;
  readonly now: Date;
}

export interface ImportedModel {
  readonly metadata: ModelMetadata;
  readonly files: Readonly<Record<string, Uint8Array | string>>;
  readonly reportHtml: string;
  readonly test: Evaluation;
}

type TensorMeta = InferenceSession.ValueMetadata & { readonly isTensor: true };

/** The only one of `items` that `keep` accepts, the named one, or a refusal listing them. */
function pick(kind: string, items: readonly InferenceSession.ValueMetadata[], name: string | undefined, keep: (m: InferenceSession.ValueMetadata) => boolean): TensorMeta {
  const names = items.map((m) => m.name).join(', ');
  if (name !== undefined) {
    const found = items.find((m) => m.name === name);
    if (found === undefined) throw new ImportRefused(`the model has no ${kind} "${name}" (it has: ${names})`);
    if (!keep(found)) throw new ImportRefused(`${kind} "${name}" is not a float tensor`);
    return found as TensorMeta;
  }
  const candidates = items.filter(keep);
  if (candidates.length !== 1) throw new ImportRefused(`the model has ${candidates.length} float tensor ${kind}s (${names}): name one with --${kind}`);
  return candidates[0] as TensorMeta;
}

const isFloatTensor = (m: InferenceSession.ValueMetadata): boolean => m.isTensor && m.type === 'float32';

/**
 * Rows that test missing values: one all NaN, then for each feature a row where only it is NaN
 * (the others at 1), so a model that propagates NaN anywhere shows it.
 */
function missingValueRows(width: number): Float32Array {
  const rows = new Float32Array((width + 1) * width).fill(1);
  rows.fill(Number.NaN, 0, width);
  for (let f = 0; f < width; f++) rows[(f + 1) * width + f] = Number.NaN;
  return rows;
}

/**
 * Validates a binary classifier trained elsewhere (sklearn, LightGBM, CatBoost converters, a
 * hand-built graph) for serving on the running feature spec, evaluates it through onnxruntime
 * on the dataset's handbook windows, chooses its thresholds on validation, records its drift reference
 * and writes its report.
 * Refused (ImportRefused, naming the problem) unless: its input is a float tensor [N, features]
 * (N any), its output a float tensor [N], [N, 1] or [N, 2] of probabilities, and it answers a
 * probability in [0, 1] for rows with missing values (NaN), which the service sends when a
 * profile cannot be read. A foreign model has no explainer: it is served without reason codes.
 */
export async function importModel(opts: ImportModelOptions): Promise<ImportedModel> {
  const width = FEATURE_NAMES.length;
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(opts.onnx);
  } catch (err) {
    throw new ImportRefused(`onnxruntime cannot load it: ${(err as Error).message}`);
  }
  let outputColumn: number;
  let input: TensorMeta;
  let output: TensorMeta;
  try {
    input = pick('input', session.inputMetadata, opts.input, isFloatTensor);
    const shape = input.shape;
    if (shape.length !== 2 || shape[1] !== width || (typeof shape[0] === 'number' && shape[0] !== -1)) {
      throw new ImportRefused(`input "${input.name}" has shape [${shape.join(', ')}]; the running feature spec needs [N, ${width}] (N any)`);
    }
    output = pick('output', session.outputMetadata, opts.output, isFloatTensor);
    const probe = missingValueRows(width);
    const rows = probe.length / width;
    const res = (await session.run({ [input.name]: new Tensor('float32', probe, [rows, width]) }, [output.name]))[output.name] as Tensor;
    const cols = res.dims.length === 1 ? 1 : (res.dims[1] as number);
    if (res.dims[0] !== rows || res.dims.length > 2 || cols > 2) throw new ImportRefused(`output "${output.name}" has shape [${res.dims.join(', ')}] for ${rows} rows; expected [N], [N, 1] or [N, 2]`);
    outputColumn = opts.outputColumn ?? (cols === 2 ? 1 : 0);
    if (!(outputColumn >= 0 && outputColumn < cols)) throw new ImportRefused(`--output-column ${outputColumn} is outside output "${output.name}"'s ${cols} column(s)`);
    const data = res.data as Float32Array;
    for (let r = 0; r < rows; r++) {
      const p = data[r * cols + outputColumn] as number;
      if (!(p >= 0 && p <= 1)) {
        const what = r === 0 ? 'a row of missing values (NaN)' : `a row where ${FEATURE_NAMES[r - 1]} is missing (NaN)`;
        throw new ImportRefused(`it answers ${p} for ${what}; the service sends NaN for what it does not know, so the model must map it to a probability (e.g. an Imputer before the classifier)`);
      }
    }
  } finally {
    await session.release();
  }

  const specHash = featureSpecHash();
  const sha256 = sha256Hex(opts.onnx);
  const metadata0: ModelMetadata = {
    version: modelVersion(opts.now, sha256),
    createdAt: opts.now.toISOString(),
    parent: opts.parent,
    featureSpecHash: specHash,
    featureNames: [...FEATURE_NAMES],
    onnx: { file: 'model.onnx', input: input.name, output: output.name, ...(outputColumn === 0 ? {} : { outputColumn }) },
    sha256,
    thresholds: { challenge: 1, decline: 1 },
    status: 'candidate',
  };
  const split = timeSplit(opts.dataset.sidecar, opts.split);
  const model = await OnnxModel.fromBytes(opts.onnx, metadata0, { expectedSpecHash: specHash, threads: 2 });
  let evaluation;
  try {
    evaluation = await evaluateServed(model, opts.dataset, split, opts.thresholdTargets);
  } finally {
    await model.close();
  }
  const { test, validation, thresholds } = evaluation;
  // The model was trained elsewhere: the training window of this dataset stands for the traffic it
  // is meant for, and its scores on the validation window for what it answers on it.
  const drift = datasetDriftReference(opts.dataset, split, evaluation);
  const metadata: ModelMetadata = {
    ...metadata0,
    thresholds: { ...thresholds.thresholds, targets: { ...thresholds.targets }, validation: { ...thresholds.validation } },
    trainer: { name: 'imported', version: 'n/a', params: { source: opts.source } },
    windows: { validation: windowDays(split.validation), delay: windowDays(split.delay), test: windowDays(split.test) },
    datasetHash: opts.datasetHash,
    protocol: 'handbook',
    metrics: { test: { ...test.metrics, rows: test.rows, frauds: test.frauds }, validation: { ...validation.metrics, rows: validation.rows, frauds: validation.frauds } },
    notes: { importedFrom: opts.source, reasonCodes: 'none: a foreign model has no explainer' },
    drift: metadataDrift(drift),
  };
  const reportHtml = renderReport({
    model: { version: metadata.version, createdAt: metadata.createdAt, parent: opts.parent, featureSpecHash: specHash, datasetHash: opts.datasetHash, trainer: `imported from ${opts.source}`, params: {} },
    windows: {
      train: { start: isoDay(split.train.from), end: isoDay(split.train.to) },
      validation: { start: isoDay(split.validation.from), end: isoDay(split.validation.to) },
      test: { start: isoDay(split.test.from), end: isoDay(split.test.to) },
      delayDays: opts.split.delayDays,
    },
    metrics: { test: test.metrics, validation: validation.metrics },
    testSet: test,
    thresholds,
    featureImportance: [],
    breakdown: datasetTestBreakdown(opts.dataset, split, evaluation),
    drift,
  });
  return { metadata, files: { 'model.onnx': opts.onnx }, reportHtml, test };
}
