import { baseMargin } from '../onnx-export/export-xgboost-onnx';
import { OnnxExportError } from '../onnx-export/onnx-export-error';
import { readXGBoostBinaryModel, type XGBoostTree } from '../onnx-export/xgboost-json-model';
import type { ExplainerDocument, ExplainerTree } from './explainer-document';

/**
 * The explainer document of an XGBoost binary:logistic JSON model (Booster.saveJson()): its
 * reachable nodes renumbered from the root, with covers and the base margin, i.e. the same
 * trees the ONNX exporter writes. Throws OnnxExportError for a model the exporter refuses or one
 * without `sum_hessian`.
 */
export function explainerFromXGBoost(json: string, featureCount: number): ExplainerDocument {
  const model = readXGBoostBinaryModel(json);
  return {
    format: 'tree-shap/v1',
    featureCount,
    baseMargin: baseMargin(model.baseScore),
    trees: model.trees.map((t, i) => reachable(t, i)),
  };
}

function reachable(tree: XGBoostTree, index: number): ExplainerTree {
  const covers = tree.covers;
  if (covers === null) throw new OnnxExportError('INVALID_MODEL', `invalid XGBoost JSON model: trees[${index}] has no sum_hessian`);
  const order = [0];
  const id = new Map([[0, 0]]);
  for (let k = 0; k < order.length; k++) {
    const node = order[k] as number;
    const l = tree.leftChildren[node] as number;
    if (l === -1) continue;
    for (const child of [l, tree.rightChildren[node] as number]) {
      if (id.has(child)) throw new OnnxExportError('INVALID_MODEL', `invalid XGBoost JSON model: trees[${index}] reaches node ${child} twice`);
      id.set(child, order.length);
      order.push(child);
    }
  }
  const pick = <T>(list: readonly T[]) => order.map((n) => list[n] as T);
  return {
    left: order.map((n) => (tree.leftChildren[n] === -1 ? -1 : (id.get(tree.leftChildren[n] as number) as number))),
    right: order.map((n) => (tree.leftChildren[n] === -1 ? -1 : (id.get(tree.rightChildren[n] as number) as number))),
    feature: order.map((n) => (tree.leftChildren[n] === -1 ? 0 : (tree.splitIndices[n] as number))),
    value: pick(tree.splitConditions),
    defaultLeft: pick(tree.defaultLeft),
    cover: pick(covers),
  };
}
