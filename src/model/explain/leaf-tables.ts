import type { FlatTrees } from './flat-trees';
import { ShapPath } from './shap-path';

/** Table values kept at most (8 bytes each): beyond this an ensemble is explained by the recursion. */
export const MAX_TABLE_VALUES = 4 * 1024 * 1024;

/**
 * Path-dependent TreeSHAP by per-leaf tables, the fast path of {@link TreeShap}. A leaf adds to
 * the contributions of the d distinct features split on between the root and it, and what it adds
 * depends on `x` only through which of them `x` follows (all of that feature's splits on the path
 * send `x` the path's way): a subset of the d. For every leaf and every subset (2^d of them) the
 * d additions are computed once, at construction, with the same path arithmetic as the recursion
 * (leaf value included); explaining `x` then evaluates each split once, carries the subset down
 * each tree as a bit mask and adds one row per leaf: O(nodes + leaves · d) instead of
 * O(leaves · d²) with a division in every step.
 *
 * Contract: the same contributions as the recursion (`TreeShap.recursiveContributions`) up to
 * float rounding (a test holds them within 1e-9); memory Σ leaves 2^d · d doubles, and
 * {@link build} returns null when that exceeds MAX_TABLE_VALUES. Not for concurrent use.
 */
export class LeafTables {
  private constructor(
    private readonly trees: FlatTrees,
    /** Internal nodes, parents before children. */
    private readonly order: Int32Array,
    /** Each internal node's feature's index among its path's distinct features (first occurrence order). */
    private readonly slot: Uint8Array,
    /** Each leaf's node. */
    private readonly leafNode: Int32Array,
    /** Per leaf: d, where its table starts, where its features start. */
    private readonly leafWidth: Uint8Array,
    private readonly tableStart: Int32Array,
    private readonly featureStart: Int32Array,
    private readonly features: Int32Array,
    private readonly table: Float64Array,
    /** Per node, while explaining: the subset mask that reaches it. */
    private readonly mask: Int32Array,
  ) {}

  /** The tables of `trees`, or null when they would hold more than MAX_TABLE_VALUES values. */
  static build(trees: FlatTrees): LeafTables | null {
    const n = trees.left.length;
    const slot = new Uint8Array(n);
    const order: number[] = [];
    // A walk of every tree, keeping each node's path of distinct features and their zero fractions.
    interface Leaf { node: number; features: number[]; zeros: number[] }
    const leaves: Leaf[] = [];
    let size = 0;
    for (const root of trees.roots) {
      const stack: { node: number; features: number[]; zeros: number[] }[] = [{ node: root, features: [], zeros: [] }];
      while (stack.length > 0) {
        const { node, features, zeros } = stack.pop() as Leaf;
        const l = trees.left[node] as number;
        if (l === -1) {
          leaves.push({ node, features, zeros });
          size += 2 ** features.length * features.length;
          if (size > MAX_TABLE_VALUES || features.length > 30) return null;
          continue;
        }
        order.push(node);
        const f = trees.feature[node] as number;
        let k = features.indexOf(f);
        if (k === -1) k = features.length;
        slot[node] = k;
        const cover = trees.cover[node] as number;
        for (const child of [l, trees.right[node] as number]) {
          const fs = k === features.length ? [...features, f] : features;
          const zs = k === zeros.length ? [...zeros, 1] : [...zeros];
          zs[k] = (zs[k] as number) * ((trees.cover[child] as number) / cover);
          stack.push({ node: child, features: fs, zeros: zs });
        }
      }
    }
    const leafWidth = new Uint8Array(leaves.length);
    const tableStart = new Int32Array(leaves.length);
    const featureStart = new Int32Array(leaves.length + 1);
    const features = new Int32Array(leaves.reduce((s, leaf) => s + leaf.features.length, 0));
    const table = new Float64Array(size);
    const path = new ShapPath(trees.maxDepth);
    let t = 0;
    let fAt = 0;
    leaves.forEach((leaf, i) => {
      const d = leaf.features.length;
      leafWidth[i] = d;
      tableStart[i] = t;
      featureStart[i] = fAt;
      features.set(leaf.features, fAt);
      fAt += d;
      const value = trees.value[leaf.node] as number;
      for (let subset = 0; subset < 2 ** d; subset++) {
        path.extend(0, 0, 1, 1, -1);
        for (let k = 0; k < d; k++) path.extend(0, k + 1, leaf.zeros[k] as number, (subset >> k) & 1, leaf.features[k] as number);
        for (let k = 0; k < d; k++) {
          const one = (subset >> k) & 1;
          table[t + k] = path.unwoundSum(0, d, k + 1) * (one - (leaf.zeros[k] as number)) * value;
        }
        t += d;
      }
    });
    featureStart[leaves.length] = fAt;
    const leafNode = Int32Array.from(leaves, (leaf) => leaf.node);
    return new LeafTables(trees, Int32Array.from(order), slot, leafNode, leafWidth, tableStart, featureStart, features, table, new Int32Array(n));
  }

  /** Adds each feature's contribution to the margin of `x` (NaN = missing) to `phi`. */
  add(x: ArrayLike<number>, phi: Float64Array): void {
    const { trees, order, slot, mask } = this;
    const { left, right, feature, value, defaultLeft } = trees;
    for (const root of trees.roots) mask[root] = -1;
    for (let i = 0; i < order.length; i++) {
      const node = order[i] as number;
      const v = x[feature[node] as number] as number;
      const goesLeft = v !== v ? defaultLeft[node] === 1 : v < (value[node] as number);
      const m = mask[node] as number;
      const off = m & ~(1 << (slot[node] as number));
      mask[left[node] as number] = goesLeft ? m : off;
      mask[right[node] as number] = goesLeft ? off : m;
    }
    const { leafNode, leafWidth, tableStart, featureStart, features, table } = this;
    for (let leaf = 0; leaf < leafNode.length; leaf++) {
      const node = leafNode[leaf] as number;
      const d = leafWidth[leaf] as number;
      if (d === 0) continue;
      const row = (tableStart[leaf] as number) + ((mask[node] as number) & ((1 << d) - 1)) * d;
      const fs = featureStart[leaf] as number;
      for (let k = 0; k < d; k++) {
        const f = features[fs + k] as number;
        phi[f] = (phi[f] as number) + (table[row + k] as number);
      }
    }
  }
}
