import { OnnxExportError } from './onnx-export-error';
import type { XGBoostTree } from './xgboost-json-model';

/** Node modes written: XGBoost sends x left when x < threshold, so "true" is always XGBoost's left. */
export type NodeMode = 'BRANCH_LT' | 'LEAF';

/** The parallel node and leaf arrays of an ai.onnx.ml TreeEnsembleRegressor (single target). */
export interface TreeEnsembleArrays {
  readonly nodesTreeIds: number[];
  readonly nodesNodeIds: number[];
  readonly nodesFeatureIds: number[];
  readonly nodesValues: number[];
  readonly nodesModes: NodeMode[];
  readonly nodesTrueNodeIds: number[];
  readonly nodesFalseNodeIds: number[];
  readonly nodesMissingValueTracksTrue: number[];
  readonly targetTreeIds: number[];
  readonly targetNodeIds: number[];
  readonly targetWeights: number[];
}

/**
 * Flattens XGBoost trees into TreeEnsembleRegressor arrays. Reachable nodes are renumbered
 * breadth-first from 0 in every tree (ONNX wants ids 0..n-1; XGBoost may keep pruned, unreachable
 * nodes). Missing values follow XGBoost's default_left (true branch = left).
 * Throws OnnxExportError INVALID_MODEL for a child out of range, a node reached twice, or a split on
 * a feature ≥ featureCount.
 */
export function treeEnsembleArrays(trees: readonly XGBoostTree[], featureCount: number): TreeEnsembleArrays {
  const out: TreeEnsembleArrays = {
    nodesTreeIds: [], nodesNodeIds: [], nodesFeatureIds: [], nodesValues: [], nodesModes: [], nodesTrueNodeIds: [],
    nodesFalseNodeIds: [], nodesMissingValueTracksTrue: [], targetTreeIds: [], targetNodeIds: [], targetWeights: [],
  };
  trees.forEach((tree, treeId) => {
    const { order, newId } = breadthFirst(tree, treeId);
    order.forEach((node, id) => {
      const left = at(tree.leftChildren, node);
      const value = at(tree.splitConditions, node);
      out.nodesTreeIds.push(treeId);
      out.nodesNodeIds.push(id);
      if (left === -1) {
        pushNode(out, 'LEAF', 0, 0, 0, 0, 0);
        out.targetTreeIds.push(treeId);
        out.targetNodeIds.push(id);
        out.targetWeights.push(value);
        return;
      }
      const feature = at(tree.splitIndices, node);
      if (!Number.isInteger(feature) || feature < 0 || feature >= featureCount) {
        throw invalid(`tree ${treeId} node ${node} splits on feature ${feature}; featureCount is ${featureCount}`);
      }
      const trueId = newId.get(left) ?? -1;
      const falseId = newId.get(at(tree.rightChildren, node)) ?? -1;
      pushNode(out, 'BRANCH_LT', feature, value, trueId, falseId, tree.defaultLeft[node] ? 1 : 0);
    });
  });
  return out;
}

function pushNode(
  out: TreeEnsembleArrays, mode: NodeMode, feature: number, threshold: number, trueId: number, falseId: number, missingTrue: number,
): void {
  out.nodesModes.push(mode);
  out.nodesFeatureIds.push(feature);
  out.nodesValues.push(threshold);
  out.nodesTrueNodeIds.push(trueId);
  out.nodesFalseNodeIds.push(falseId);
  out.nodesMissingValueTracksTrue.push(missingTrue);
}

/** Reachable XGBoost node indices in breadth-first order, and each one's new id (its position). */
function breadthFirst(tree: XGBoostTree, treeId: number): { order: number[]; newId: Map<number, number> } {
  const order = [0];
  const newId = new Map([[0, 0]]);
  for (let k = 0; k < order.length; k++) {
    const node = order[k] ?? 0;
    const left = at(tree.leftChildren, node);
    const right = at(tree.rightChildren, node);
    if (left === -1 && right === -1) continue;
    for (const child of [left, right]) {
      if (!Number.isInteger(child) || child <= 0 || child >= tree.leftChildren.length) {
        throw invalid(`tree ${treeId} node ${node} has child ${child} outside 1..${tree.leftChildren.length - 1}`);
      }
      if (newId.has(child)) throw invalid(`tree ${treeId} reaches node ${child} twice`);
      newId.set(child, order.length);
      order.push(child);
    }
  }
  return { order, newId };
}

function at(list: readonly number[], index: number): number {
  const value = list[index];
  if (value === undefined) throw invalid(`node index ${index} is out of range`);
  return value;
}

function invalid(detail: string): OnnxExportError {
  return new OnnxExportError('INVALID_MODEL', `invalid XGBoost JSON model: ${detail}`);
}
