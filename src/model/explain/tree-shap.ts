import type { ExplainerDocument } from './explainer-document';
import { childOf, flattenTrees, meanValue, type FlatTrees } from './flat-trees';
import { LeafTables } from './leaf-tables';
import { ShapPath } from './shap-path';

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee, "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2) over a binary:logistic tree ensemble: each
 * feature's contribution to the model's margin (log-odds), such that
 * `bias + Σ contributions = margin(x)` and a feature the trees never use contributes 0. The
 * weights of a split's branches are the training covers (XGBoost's per-node hessian sums), so the
 * figures are those XGBoost's own `pred_contribs` gives for the same trees.
 *
 * {@link contributions} uses per-leaf tables (see LeafTables) when they fit in memory, else the
 * recursion; both give the same figures. Buffers are reused across calls, so one instance must not
 * be used by two callers at once (the service calls it from its one scoring thread).
 */
export class TreeShap {
  /** Number of input features (the contributions' length without the bias). */
  readonly featureCount: number;
  /** The expected margin over the training covers: the base margin plus each tree's cover-weighted mean leaf. */
  readonly bias: number;
  private readonly trees: FlatTrees;
  private readonly tables: LeafTables | null;
  private readonly path: ShapPath;
  private readonly scratch: Float64Array;

  /** Throws RangeError for a document whose trees are malformed (see flattenTrees). */
  constructor(doc: ExplainerDocument) {
    this.trees = flattenTrees(doc);
    this.featureCount = doc.featureCount;
    let bias = doc.baseMargin;
    for (const root of this.trees.roots) bias += meanValue(this.trees, root);
    this.bias = bias;
    this.path = new ShapPath(this.trees.maxDepth);
    this.tables = LeafTables.build(this.trees);
    this.scratch = new Float64Array(doc.featureCount);
  }

  /** True when explanations use the per-leaf tables (the ensemble was small enough for them). */
  get tabulated(): boolean {
    return this.tables !== null;
  }

  /**
   * Adds each feature's contribution to the margin of `x` to `out[0..featureCount)` (pass zeros)
   * and returns the bias. NaN in `x` is a missing value: it follows each split's default branch.
   * `x` must hold at least featureCount values.
   */
  contributions(x: ArrayLike<number>, out: Float64Array): number {
    if (this.tables !== null) this.tables.add(x, out);
    else this.recursiveContributions(x, out);
    return this.bias;
  }

  /** {@link contributions} by the recursion of Algorithm 2 (the reference the tables are held to). */
  recursiveContributions(x: ArrayLike<number>, out: Float64Array): number {
    for (const root of this.trees.roots) this.recurse(x, out, root, 0, 0, 1, 1, -1);
    return this.bias;
  }

  /**
   * The stored form of an explanation: each feature's contribution, then the bias, as float32
   * (a new array of featureCount + 1 values; `sigmoid` of their sum is the model's probability).
   */
  explain(x: ArrayLike<number>): Float32Array {
    const phi = this.scratch;
    phi.fill(0);
    const bias = this.contributions(x, phi);
    const out = new Float32Array(this.featureCount + 1);
    out.set(phi);
    out[this.featureCount] = bias;
    return out;
  }

  /** The ensemble's margin for `x` (log-odds) by plain traversal: what bias plus contributions sum to. */
  margin(x: ArrayLike<number>): number {
    let sum = this.trees.baseMargin;
    for (const root of this.trees.roots) {
      let node = root;
      while (this.trees.left[node] !== -1) node = childOf(this.trees, x, node);
      sum += this.trees.value[node] as number;
    }
    return sum;
  }

  /**
   * Rows that exercise the trees: for each of `rows` rows, every feature is missing (NaN), a
   * threshold some split of it uses, or just below one, chosen deterministically from `seed`.
   * Used to check that the explainer describes the same trees as a served model.
   */
  probeRows(rows: number, seed = 1): Float32Array {
    const { feature, left, value } = this.trees;
    const thresholds: number[][] = Array.from({ length: this.featureCount }, () => []);
    for (let i = 0; i < feature.length; i++) if (left[i] !== -1) thresholds[feature[i] as number]?.push(value[i] as number);
    let state = seed >>> 0 || 1;
    const next = () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return state / 2 ** 32;
    };
    const out = new Float32Array(rows * this.featureCount);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < this.featureCount; f++) {
        const list = thresholds[f] as number[];
        const u = next();
        const t = list.length === 0 ? 0 : (list[Math.floor(next() * list.length)] as number);
        out[r * this.featureCount + f] = u < 0.15 ? Number.NaN : u < 0.55 ? t : t - Math.abs(t) * 1e-3 - 1e-3;
      }
    }
    return out;
  }

  /**
   * One node of Algorithm 2. The path of this call lives at `at = parentAt + depth + 1`
   * (`depth + 1` elements, the parent's copied there), so each frame keeps its own.
   */
  private recurse(x: ArrayLike<number>, phi: Float64Array, node: number, parentAt: number, depth: number,
    zero: number, one: number, featureIndex: number): void {
    const { path, trees } = this;
    const at = parentAt + depth + 1;
    path.copy(parentAt, at, depth + 1);
    path.extend(at, depth, zero, one, featureIndex);

    const l = trees.left[node] as number;
    if (l === -1) {
      const leaf = trees.value[node] as number;
      for (let i = 1; i <= depth; i++) {
        const w = path.unwoundSum(at, depth, i);
        const f = path.feature[at + i] as number;
        phi[f] = (phi[f] as number) + w * ((path.one[at + i] as number) - (path.zero[at + i] as number)) * leaf;
      }
      return;
    }
    const split = trees.feature[node] as number;
    const hot = childOf(trees, x, node);
    const cold = hot === l ? (trees.right[node] as number) : l;
    const w = trees.cover[node] as number;
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature already split on higher up: undo that split so this one can redo it.
    let k = 0;
    while (k <= depth && path.feature[at + k] !== split) k++;
    let d = depth;
    if (k <= depth) {
      incomingZero = path.zero[at + k] as number;
      incomingOne = path.one[at + k] as number;
      path.unwind(at, d, k);
      d -= 1;
    }
    this.recurse(x, phi, hot, at, d + 1, ((trees.cover[hot] as number) / w) * incomingZero, incomingOne, split);
    this.recurse(x, phi, cold, at, d + 1, ((trees.cover[cold] as number) / w) * incomingZero, 0, split);
  }
}
