import { OnnxExportError } from './onnx-export-error';

/** One regression tree in XGBoost's array layout; node 0 is the root, -1 marks "no child". */
export interface XGBoostTree {
  readonly leftChildren: readonly number[];
  readonly rightChildren: readonly number[];
  readonly splitIndices: readonly number[];
  /** Split threshold at an internal node (go left when x < threshold), leaf value at a leaf. */
  readonly splitConditions: readonly number[];
  /** Where a missing value goes at an internal node. */
  readonly defaultLeft: readonly boolean[];
  /** Each node's training cover (`sum_hessian`), or null when the document has none (absent or empty). */
  readonly covers: readonly number[] | null;
}

/** What the exporter needs from a binary:logistic gbtree model. */
export interface XGBoostBinaryModel {
  /** XGBoost's base_score: the initial prediction as a probability in (0, 1). */
  readonly baseScore: number;
  /** Columns the model was trained on. */
  readonly numFeature: number;
  readonly trees: readonly XGBoostTree[];
  /** The writing XGBoost's version, e.g. "1.7.4" ("unknown" when absent). */
  readonly xgboostVersion: string;
}

type Json = unknown;
type JsonObject = { readonly [key: string]: Json };

/**
 * Reads an XGBoost JSON model (Booster.saveJson(), XGBoost ≥ 1.7 schema). Only binary:logistic
 * gbtree models with numeric splits and a single output are accepted.
 * Throws OnnxExportError: UNSUPPORTED_MODEL for another objective or booster, categorical splits,
 * multi-target / multi-class models; INVALID_MODEL for a malformed document.
 */
export function readXGBoostBinaryModel(text: string): XGBoostBinaryModel {
  let root: Json;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw invalid(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const learner = object(object(root, 'document').learner, 'learner');
  const objective = string(object(learner.objective, 'learner.objective').name, 'learner.objective.name');
  if (objective !== 'binary:logistic') unsupported(`objective "${objective}" (only binary:logistic)`);
  const booster = object(learner.gradient_booster, 'learner.gradient_booster');
  const boosterName = string(booster.name, 'learner.gradient_booster.name');
  if (boosterName !== 'gbtree') unsupported(`booster "${boosterName}" (only gbtree)`);

  const params = object(learner.learner_model_param, 'learner.learner_model_param');
  if (numericParam(params.num_class, 'num_class', 0) > 1) unsupported('multi-class model (num_class > 1)');
  if (numericParam(params.num_target, 'num_target', 1) > 1) unsupported('multi-target model (num_target > 1)');
  const baseScore = baseScoreOf(params.base_score);
  const numFeature = numericParam(params.num_feature, 'num_feature', 0);
  const featureTypes = learner.feature_types === undefined ? [] : array(learner.feature_types, 'learner.feature_types');
  if (featureTypes.some((t) => t === 'c')) unsupported('categorical features (feature_types contains "c")');

  const model = object(booster.model, 'learner.gradient_booster.model');
  const modelParam = model.gbtree_model_param === undefined ? {} : object(model.gbtree_model_param, 'gbtree_model_param');
  if (numericParam(modelParam.size_leaf_vector, 'size_leaf_vector', 0) > 1) unsupported('vector-leaf (multi-target) trees');
  const trees = array(model.trees, 'learner.gradient_booster.model.trees').map((t, i) => readTree(t, i));
  if (trees.length === 0) throw invalid('the model has no trees');
  const treeInfo = model.tree_info === undefined ? [] : array(model.tree_info, 'tree_info');
  if (treeInfo.some((group) => group !== 0)) unsupported('trees for more than one output group (tree_info)');

  const version = object(root, 'document').version;
  const xgboostVersion = Array.isArray(version) ? version.join('.') : 'unknown';
  return { baseScore, numFeature, trees, xgboostVersion };
}

function readTree(value: Json, index: number): XGBoostTree {
  const where = `trees[${index}]`;
  const tree = object(value, where);
  const param = tree.tree_param === undefined ? {} : object(tree.tree_param, `${where}.tree_param`);
  if (numericParam(param.size_leaf_vector, 'size_leaf_vector', 0) > 1) unsupported(`vector leaves in ${where}`);
  if (tree.split_type !== undefined && numbers(tree.split_type, `${where}.split_type`).some((t) => t !== 0)) {
    unsupported(`categorical splits in ${where}`);
  }
  if (tree.categories_nodes !== undefined && array(tree.categories_nodes, `${where}.categories_nodes`).length > 0) {
    unsupported(`categorical splits in ${where}`);
  }
  const leftChildren = numbers(tree.left_children, `${where}.left_children`);
  const rightChildren = numbers(tree.right_children, `${where}.right_children`);
  const splitIndices = numbers(tree.split_indices, `${where}.split_indices`);
  const splitConditions = numbers(tree.split_conditions, `${where}.split_conditions`);
  const defaultLeft = array(tree.default_left, `${where}.default_left`).map((d) => d === 1 || d === true);
  // Absent or empty: a hand-written document without statistics (the ONNX export does not need them).
  const hessians = tree.sum_hessian === undefined ? [] : numbers(tree.sum_hessian, `${where}.sum_hessian`);
  const covers = hessians.length === 0 ? null : hessians;
  const n = leftChildren.length;
  if (n === 0) throw invalid(`${where} has no nodes`);
  for (const [name, list] of [['right_children', rightChildren], ['split_indices', splitIndices],
    ['split_conditions', splitConditions], ['default_left', defaultLeft], ['sum_hessian', covers ?? leftChildren]] as const) {
    if (list.length !== n) throw invalid(`${where}.${name} has ${list.length} entries, left_children has ${n}`);
  }
  return { leftChildren, rightChildren, splitIndices, splitConditions, defaultLeft, covers };
}

/** base_score is a decimal string ("5E-1"); newer writers wrap it in brackets ("[5E-1]"). */
function baseScoreOf(value: Json): number {
  const text = string(value, 'learner_model_param.base_score').replace(/^\[(.*)\]$/, '$1');
  const score = Number(text);
  if (!(score > 0 && score < 1)) throw invalid(`base_score must be a probability in (0, 1), got "${text}"`);
  return score;
}

function numericParam(value: Json, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(typeof value === 'string' ? value.replace(/^\[(.*)\]$/, '$1') : value);
  if (!Number.isFinite(parsed)) throw invalid(`${name} is not a number: ${JSON.stringify(value)}`);
  return parsed;
}

function object(value: Json, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where} is not an object`);
  return value as JsonObject;
}

function array(value: Json, where: string): readonly Json[] {
  if (!Array.isArray(value)) throw invalid(`${where} is not an array`);
  return value;
}

function numbers(value: Json, where: string): number[] {
  return array(value, where).map((item) => {
    if (typeof item !== 'number' || !Number.isFinite(item)) throw invalid(`${where} holds a non-number: ${JSON.stringify(item)}`);
    return item;
  });
}

function string(value: Json, where: string): string {
  if (typeof value !== 'string') throw invalid(`${where} is not a string`);
  return value;
}

function invalid(detail: string): OnnxExportError {
  return new OnnxExportError('INVALID_MODEL', `invalid XGBoost JSON model: ${detail}`);
}

function unsupported(what: string): never {
  throw new OnnxExportError('UNSUPPORTED_MODEL', `cannot export to ONNX: unsupported ${what}`);
}
