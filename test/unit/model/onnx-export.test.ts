import { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  decodeOnnxModel, exportXGBoostToOnnx, type OnnxAttribute, OnnxExportError, type OnnxModel,
} from '../../../src/model/onnx-export';

/** A change to the learner: a dot path (array indices allowed) and the value to put there. */
type Edit = readonly [path: string, value: unknown];

/**
 * Two hand-written trees in XGBoost 1.7's JSON layout (tree 1 keeps a pruned, unreachable node 3),
 * with `edits` applied to the learner.
 */
function modelJson(...edits: Edit[]): string {
  const tree = (id: number, t: Record<string, unknown>): Record<string, unknown> => ({
    id, base_weights: [], loss_changes: [], sum_hessian: [], parents: [], categories: [], categories_nodes: [],
    categories_segments: [], categories_sizes: [], tree_param: { num_deleted: '0', num_feature: '3', num_nodes: '5', size_leaf_vector: '0' },
    ...t,
  });
  const learner = {
    attributes: {}, feature_names: [], feature_types: [],
    gradient_booster: {
      name: 'gbtree',
      model: {
        gbtree_model_param: { num_parallel_tree: '1', num_trees: '2', size_leaf_vector: '0' },
        tree_info: [0, 0],
        trees: [
          tree(0, {
            left_children: [1, -1, 3, -1, -1], right_children: [2, -1, 4, -1, -1],
            split_indices: [1, 0, 0, 0, 0], split_conditions: [0.5, 0.3, 2, -0.2, 0.1],
            default_left: [1, 0, 0, 0, 0], split_type: [0, 0, 0, 0, 0],
          }),
          tree(1, {
            left_children: [1, -1, -1, -1], right_children: [2, -1, -1, -1],
            split_indices: [2, 0, 0, 0], split_conditions: [-1.25, 0.4, -0.05, 9],
            default_left: [0, 0, 0, 0], split_type: [0, 0, 0, 0],
          }),
        ],
      },
    },
    learner_model_param: { base_score: '2E-1', boost_from_average: '1', num_class: '0', num_feature: '3', num_target: '1' },
    objective: { name: 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } },
  };
  for (const [path, value] of edits) {
    const keys = path.split('.');
    const last = keys.pop() ?? '';
    const parent = keys.reduce((node, key) => (node as Record<string, unknown>)[key], learner as unknown);
    (parent as Record<string, unknown>)[last] = value;
  }
  return JSON.stringify({ learner, version: [1, 7, 4] });
}

/** The same two trees, evaluated directly: the reference the ONNX model must reproduce. */
function expectedProbability([x0, x1, x2]: readonly number[]): number {
  const t0 = (Number.isNaN(x1!) || x1! < 0.5) ? 0.3 : ((!Number.isNaN(x0!) && x0! < 2) ? -0.2 : 0.1);
  const t1 = (!Number.isNaN(x2!) && x2! < -1.25) ? 0.4 : -0.05;
  const margin = Math.log(0.2 / 0.8) + t0 + t1;
  return 1 / (1 + Math.exp(-margin));
}

function attribute(model: OnnxModel, name: string): OnnxAttribute {
  const found = model.graph.node[0]?.attribute.find((a) => a.name === name);
  if (!found) throw new Error(`no attribute ${name}`);
  return found;
}

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

describe('exportXGBoostToOnnx', () => {
  it('writes a TreeEnsembleRegressor + Sigmoid graph with the declared interface and metadata', () => {
    const model = decodeOnnxModel(exportXGBoostToOnnx(modelJson(), {
      featureCount: 3, producerVersion: '0.1.0', metadata: { featureSpecHash: 'abc123' },
    }));
    expect(model.ir_version).toBe(8);
    expect(model.opset_import).toEqual([{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }]);
    expect(model.producer_name).toBe('fraud-scoring');
    expect(model.metadata_props).toEqual([{ key: 'featureSpecHash', value: 'abc123' }]);
    expect(model.graph.node.map((n) => [n.op_type, n.domain ?? '', n.input, n.output])).toEqual([
      ['TreeEnsembleRegressor', 'ai.onnx.ml', ['features'], ['xgboost_margin']],
      ['Sigmoid', '', ['xgboost_margin'], ['probability']],
    ]);
    expect(model.graph.input).toEqual([{ name: 'features', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: 3 }] } } } }]);
    expect(model.graph.output[0]?.type.tensor_type.shape.dim).toEqual([{ dim_param: 'N' }, { dim_value: 1 }]);
  });

  it('routes missing values by default_left, drops unreachable nodes and sets the base margin', () => {
    const model = decodeOnnxModel(exportXGBoostToOnnx(modelJson(), { featureCount: 3 }));
    expect(attribute(model, 'nodes_treeids').ints).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(attribute(model, 'nodes_nodeids').ints).toEqual([0, 1, 2, 3, 4, 0, 1, 2]);
    expect((attribute(model, 'nodes_modes').strings ?? []).map(text))
      .toEqual(['BRANCH_LT', 'LEAF', 'BRANCH_LT', 'LEAF', 'LEAF', 'BRANCH_LT', 'LEAF', 'LEAF']);
    expect(attribute(model, 'nodes_missing_value_tracks_true').ints).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(attribute(model, 'nodes_truenodeids').ints).toEqual([1, 0, 3, 0, 0, 1, 0, 0]);
    expect(attribute(model, 'nodes_falsenodeids').ints).toEqual([2, 0, 4, 0, 0, 2, 0, 0]);
    expect(attribute(model, 'target_weights').floats).toEqual([0.3, -0.2, 0.1, 0.4, -0.05].map(Math.fround));
    expect(attribute(model, 'base_values').floats?.[0]).toBeCloseTo(Math.log(0.25), 6);
    expect(text(attribute(model, 'post_transform').s)).toBe('NONE');
  });

  it('runs in onnxruntime and matches the trees on NaNs and exact thresholds', async () => {
    const rows = [
      [0, 0, 0], [0, 1, 0], [3, 1, -2], [Number.NaN, 1, 0], [0, Number.NaN, Number.NaN], [2, 0.5, -1.25],
      [Number.NaN, Number.NaN, Number.NaN], [1.999, 0.4999, -1.2501],
    ];
    const session = await InferenceSession.create(exportXGBoostToOnnx(modelJson(), { featureCount: 3 }));
    try {
      const result = await session.run({ features: new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 3]) });
      const output = result.probability;
      expect(output?.dims).toEqual([rows.length, 1]);
      const got = Array.from(output?.data as Float32Array);
      rows.forEach((row, i) => expect(Math.abs((got[i] ?? 0) - expectedProbability(row))).toBeLessThan(1e-6));
    } finally {
      await session.release();
    }
  });

  it('uses the configured tensor names', async () => {
    const bytes = exportXGBoostToOnnx(modelJson(), { featureCount: 3, inputName: 'x', outputName: 'p' });
    const session = await InferenceSession.create(bytes);
    try {
      expect([session.inputNames, session.outputNames]).toEqual([['x'], ['p']]);
    } finally {
      await session.release();
    }
  });

  describe('refuses', () => {
    const refusal = (json: string, code: string, message: unknown, featureCount = 3): void => {
      let caught: unknown;
      try {
        exportXGBoostToOnnx(json, { featureCount });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(OnnxExportError);
      expect(caught).toMatchObject({ code, message });
    };

    it('objectives other than binary:logistic', () => refusal(
      modelJson(['objective.name', 'reg:squarederror']),
      'UNSUPPORTED_MODEL', 'cannot export to ONNX: unsupported objective "reg:squarederror" (only binary:logistic)'));

    it('boosters other than gbtree', () => {
      refusal(modelJson(['gradient_booster.name', 'dart']),
        'UNSUPPORTED_MODEL', 'cannot export to ONNX: unsupported booster "dart" (only gbtree)');
      refusal(modelJson(['gradient_booster', { name: 'gblinear', model: {} }]),
        'UNSUPPORTED_MODEL', 'cannot export to ONNX: unsupported booster "gblinear" (only gbtree)');
    });

    it('categorical splits and features', () => {
      refusal(modelJson(['gradient_booster.model.trees.1.split_type', [1, 0, 0, 0]]),
        'UNSUPPORTED_MODEL', 'cannot export to ONNX: unsupported categorical splits in trees[1]');
      refusal(modelJson(['feature_types', ['q', 'c', 'q']]),
        'UNSUPPORTED_MODEL', 'cannot export to ONNX: unsupported categorical features (feature_types contains "c")');
    });

    it('multi-target and multi-class models', () => {
      refusal(modelJson(['learner_model_param.num_target', '2']),
        'UNSUPPORTED_MODEL', 'cannot export to ONNX: unsupported multi-target model (num_target > 1)');
      refusal(modelJson(['learner_model_param.num_class', '3']),
        'UNSUPPORTED_MODEL', 'cannot export to ONNX: unsupported multi-class model (num_class > 1)');
      refusal(modelJson(['gradient_booster.model.tree_info', [0, 1]]),
        'UNSUPPORTED_MODEL', 'cannot export to ONNX: unsupported trees for more than one output group (tree_info)');
    });

    it('malformed documents', () => {
      refusal('{"learner":', 'INVALID_MODEL', expect.stringMatching(/^invalid XGBoost JSON model: not JSON/));
      refusal(modelJson(['gradient_booster.model.trees', []]), 'INVALID_MODEL', 'invalid XGBoost JSON model: the model has no trees');
      refusal(modelJson(['gradient_booster.model.trees.1.left_children', [1, 0, -1, -1]]),
        'INVALID_MODEL', 'invalid XGBoost JSON model: tree 1 node 1 has child 0 outside 1..3');
      refusal(modelJson(['learner_model_param.base_score', '1.5']),
        'INVALID_MODEL', 'invalid XGBoost JSON model: base_score must be a probability in (0, 1), got "1.5"');
    });

    it('a featureCount that does not match the model', () => {
      refusal(modelJson(), 'INVALID_OPTIONS', 'cannot export to ONNX: the model was trained on 3 features but featureCount is 4', 4);
      refusal(modelJson(['learner_model_param.num_feature', '0'], ['gradient_booster.model.trees.0.split_indices', [5, 0, 0, 0, 0]]),
        'INVALID_MODEL', 'invalid XGBoost JSON model: tree 0 node 0 splits on feature 5; featureCount is 3');
    });

    it('clashing tensor names', () => {
      expect(() => exportXGBoostToOnnx(modelJson(), { featureCount: 3, inputName: 'x', outputName: 'x' }))
        .toThrow('cannot export to ONNX: input and output names must be non-empty, distinct and not "xgboost_margin"');
    });
  });
});
