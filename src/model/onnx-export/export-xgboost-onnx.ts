import { encodeOnnxModel } from './onnx-proto';
import { OnnxExportError } from './onnx-export-error';
import { floatTensorInfo, floatsAttribute, intAttribute, intsAttribute, stringAttribute, stringsAttribute } from './onnx-builders';
import type { OnnxAttribute, OnnxModel } from './onnx-types';
import { treeEnsembleArrays } from './tree-ensemble-arrays';
import { readXGBoostBinaryModel, type XGBoostBinaryModel } from './xgboost-json-model';

/** ONNX IR version written (ONNX 1.13+, onnxruntime ≥ 1.14). */
export const ONNX_IR_VERSION = 8;
/** Default-domain opset (for Sigmoid). */
export const ONNX_OPSET = 17;
/** ai.onnx.ml opset (TreeEnsembleRegressor v3). */
export const ONNX_ML_OPSET = 3;

/** Name of the intermediate log-odds tensor between the trees and the Sigmoid. */
const MARGIN_NAME = 'xgboost_margin';

export interface OnnxExportOptions {
  /** Columns of the input; must equal the number the model was trained on. */
  readonly featureCount: number;
  /** Input tensor name, float [N, featureCount]; "features" by default. */
  readonly inputName?: string;
  /** Output tensor name, float [N, 1] = P(class 1); "probability" by default. */
  readonly outputName?: string;
  /** ModelProto.producer_name; "fraud-scoring" by default. */
  readonly producerName?: string;
  readonly producerVersion?: string;
  /** ModelProto.model_version (integer). */
  readonly modelVersion?: number;
  readonly docString?: string;
  /** ModelProto.metadata_props, e.g. { featureSpecHash: "…" }. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Exports an XGBoost binary:logistic gbtree model (Booster.saveJson() text) to an ONNX ModelProto:
 * input float [N, featureCount] → ai.onnx.ml TreeEnsembleRegressor (sum of leaf values plus the
 * base margin logit(base_score)) → Sigmoid → output float [N, 1], the probability of class 1.
 * NaN inputs follow each split's default direction, as in XGBoost.
 * Throws OnnxExportError: UNSUPPORTED_MODEL / INVALID_MODEL (see readXGBoostBinaryModel) and
 * INVALID_OPTIONS for a featureCount that does not match the model, or clashing tensor names.
 */
export function exportXGBoostToOnnx(modelJson: string, options: OnnxExportOptions): Uint8Array {
  return encodeOnnxModel(xgboostOnnxModel(readXGBoostBinaryModel(modelJson), options));
}

/** Builds the ModelProto object for an already-read model. Throws as exportXGBoostToOnnx(). */
export function xgboostOnnxModel(model: XGBoostBinaryModel, options: OnnxExportOptions): OnnxModel {
  const { featureCount } = options;
  const inputName = options.inputName ?? 'features';
  const outputName = options.outputName ?? 'probability';
  if (!Number.isSafeInteger(featureCount) || featureCount < 1) {
    throw badOptions(`featureCount must be a positive integer, got ${featureCount}`);
  }
  if (model.numFeature > 0 && model.numFeature !== featureCount) {
    throw badOptions(`the model was trained on ${model.numFeature} features but featureCount is ${featureCount}`);
  }
  const names = [inputName, outputName, MARGIN_NAME];
  if (names.some((n) => n === '') || new Set(names).size !== names.length) {
    throw badOptions(`input and output names must be non-empty, distinct and not "${MARGIN_NAME}"`);
  }
  const metadata = Object.entries(options.metadata ?? {});
  if (metadata.some(([key]) => key === '')) throw badOptions('metadata keys must be non-empty');

  const trees = {
    input: [inputName], output: [MARGIN_NAME], name: 'xgboost_trees', op_type: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml',
    attribute: treeEnsembleAttributes(model, featureCount),
  };
  const sigmoid = { input: [MARGIN_NAME], output: [outputName], name: 'sigmoid', op_type: 'Sigmoid', domain: '', attribute: [] };
  return {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }, { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET }],
    producer_name: options.producerName ?? 'fraud-scoring',
    producer_version: options.producerVersion ?? '',
    ...(options.modelVersion === undefined ? {} : { model_version: options.modelVersion }),
    doc_string: options.docString
      ?? `XGBoost ${model.xgboostVersion} binary:logistic gbtree, ${model.trees.length} trees, base_score ${model.baseScore}`,
    graph: {
      name: 'xgboost_binary_classifier',
      node: [trees, sigmoid],
      input: [floatTensorInfo(inputName, ['N', featureCount])],
      output: [floatTensorInfo(outputName, ['N', 1], 'probability of class 1')],
      value_info: [floatTensorInfo(MARGIN_NAME, ['N', 1], 'log-odds')],
    },
    metadata_props: metadata.map(([key, value]) => ({ key, value })),
  };
}

function treeEnsembleAttributes(model: XGBoostBinaryModel, featureCount: number): OnnxAttribute[] {
  const a = treeEnsembleArrays(model.trees, featureCount);
  return [
    stringAttribute('aggregate_function', 'SUM'),
    floatsAttribute('base_values', [baseMargin(model.baseScore)]),
    intAttribute('n_targets', 1),
    intsAttribute('nodes_falsenodeids', a.nodesFalseNodeIds),
    intsAttribute('nodes_featureids', a.nodesFeatureIds),
    intsAttribute('nodes_missing_value_tracks_true', a.nodesMissingValueTracksTrue),
    stringsAttribute('nodes_modes', a.nodesModes),
    intsAttribute('nodes_nodeids', a.nodesNodeIds),
    intsAttribute('nodes_treeids', a.nodesTreeIds),
    intsAttribute('nodes_truenodeids', a.nodesTrueNodeIds),
    floatsAttribute('nodes_values', a.nodesValues),
    stringAttribute('post_transform', 'NONE'),
    intsAttribute('target_ids', a.targetNodeIds.map(() => 0)),
    intsAttribute('target_nodeids', a.targetNodeIds),
    intsAttribute('target_treeids', a.targetTreeIds),
    floatsAttribute('target_weights', a.targetWeights),
  ];
}

/** logit(base_score), computed in float32 the way XGBoost's logistic objective does. */
export function baseMargin(baseScore: number): number {
  const p = Math.fround(baseScore);
  return Math.fround(-Math.log(Math.fround(Math.fround(1 / p) - 1)));
}

function badOptions(message: string): OnnxExportError {
  return new OnnxExportError('INVALID_OPTIONS', `cannot export to ONNX: ${message}`);
}
