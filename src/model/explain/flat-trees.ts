import type { ExplainerDocument } from './explainer-document';

/**
 * A tree ensemble flattened into typed arrays: node ids are global (tree t's nodes follow tree
 * t-1's), children are global ids, -1 at a leaf. Values are float32 numbers, as XGBoost keeps them.
 */
export interface FlatTrees {
  readonly featureCount: number;
  /** The margin every tree adds to. */
  readonly baseMargin: number;
  /** Each tree's root. */
  readonly roots: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Feature split on, -1 at a leaf. */
  readonly feature: Int32Array;
  /** Threshold at a split (x goes left when x < threshold), leaf value at a leaf. */
  readonly value: Float64Array;
  readonly defaultLeft: Uint8Array;
  /** Training cover (hessian sum) of each node. */
  readonly cover: Float64Array;
  /** The deepest leaf's depth (a root that is a leaf: 0). */
  readonly maxDepth: number;
}

/** Depth allowed at most (XGBoost's own default is 6; 64 levels would be 2^64 leaves). */
export const MAX_TREE_DEPTH = 64;

/**
 * Flattens an explainer document. Throws RangeError for a child out of range, a split on a
 * feature the document does not have, a node reached twice, or a tree deeper than MAX_TREE_DEPTH.
 */
export function flattenTrees(doc: ExplainerDocument): FlatTrees {
  let nodes = 0;
  for (const t of doc.trees) nodes += t.left.length;
  const roots = new Int32Array(doc.trees.length);
  const left = new Int32Array(nodes);
  const right = new Int32Array(nodes);
  const feature = new Int32Array(nodes);
  const value = new Float64Array(nodes);
  const defaultLeft = new Uint8Array(nodes);
  const cover = new Float64Array(nodes);
  let maxDepth = 0;
  let offset = 0;
  doc.trees.forEach((t, ti) => {
    const n = t.left.length;
    roots[ti] = offset;
    for (let i = 0; i < n; i++) {
      const l = t.left[i] as number;
      const r = t.right[i] as number;
      const leaf = l === -1;
      if (!leaf && (l <= 0 || l >= n || r <= 0 || r >= n)) throw new RangeError(`tree ${ti} node ${i}: a child is outside 1..${n - 1}`);
      const f = leaf ? -1 : (t.feature[i] as number);
      if (!leaf && !(Number.isInteger(f) && f >= 0 && f < doc.featureCount)) throw new RangeError(`tree ${ti} node ${i} splits on feature ${f}; there are ${doc.featureCount}`);
      left[offset + i] = leaf ? -1 : offset + l;
      right[offset + i] = leaf ? -1 : offset + r;
      feature[offset + i] = f;
      value[offset + i] = Math.fround(t.value[i] as number);
      defaultLeft[offset + i] = t.defaultLeft[i] ? 1 : 0;
      cover[offset + i] = Math.fround(t.cover[i] as number);
    }
    // Every node reached once from the root, within the depth limit.
    const seen = new Uint8Array(n);
    const stack: [number, number][] = [[offset, 0]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop() as [number, number];
      if (seen[node - offset] === 1) throw new RangeError(`tree ${ti} reaches node ${node - offset} twice`);
      seen[node - offset] = 1;
      if (depth > MAX_TREE_DEPTH) throw new RangeError(`tree ${ti} is deeper than ${MAX_TREE_DEPTH}`);
      maxDepth = Math.max(maxDepth, depth);
      if (left[node] !== -1) stack.push([left[node] as number, depth + 1], [right[node] as number, depth + 1]);
    }
    offset += n;
  });
  return { featureCount: doc.featureCount, baseMargin: doc.baseMargin, roots, left, right, feature, value, defaultLeft, cover, maxDepth };
}

/** The child `x` goes to from split `node` (NaN: the default branch). */
export function childOf(trees: FlatTrees, x: ArrayLike<number>, node: number): number {
  const v = x[trees.feature[node] as number] as number;
  if (v !== v) return trees.defaultLeft[node] === 1 ? (trees.left[node] as number) : (trees.right[node] as number);
  return v < (trees.value[node] as number) ? (trees.left[node] as number) : (trees.right[node] as number);
}

/** A subtree's cover-weighted mean leaf value (XGBoost's node mean value). */
export function meanValue(trees: FlatTrees, node: number): number {
  const l = trees.left[node] as number;
  if (l === -1) return trees.value[node] as number;
  const r = trees.right[node] as number;
  return (meanValue(trees, l) * (trees.cover[l] as number) + meanValue(trees, r) * (trees.cover[r] as number)) / (trees.cover[node] as number);
}
