/**
 * The "unique path" arithmetic of path-dependent TreeSHAP (Lundberg, Erion & Lee, Algorithm 2):
 * frames of path elements (feature, zero fraction, one fraction, weight) in one buffer, a frame
 * starting at an offset `at`. Frames are a few elements long (the tree's depth + 1).
 */
export class ShapPath {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;

  /** Room for the nested frames of trees up to `maxDepth` deep (see TreeShap's recursion). */
  constructor(maxDepth: number) {
    const frames = maxDepth + 2;
    const size = (frames * (frames + 1)) / 2 + frames + 1;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  /** Copies the `length` elements of the frame at `from` to `to`. */
  copy(from: number, to: number, length: number): void {
    // A plain loop: frames are a few elements long, where copyWithin's call costs more than the copy.
    for (let i = 0; i < length; i++) {
      this.feature[to + i] = this.feature[from + i] as number;
      this.zero[to + i] = this.zero[from + i] as number;
      this.one[to + i] = this.one[from + i] as number;
      this.weight[to + i] = this.weight[from + i] as number;
    }
  }

  /** Appends element `depth` (feature, fractions) to the frame at `at`, which holds `depth` elements. */
  extend(at: number, depth: number, zero: number, one: number, featureIndex: number): void {
    const { weight } = this;
    this.feature[at + depth] = featureIndex;
    this.zero[at + depth] = zero;
    this.one[at + depth] = one;
    weight[at + depth] = depth === 0 ? 1 : 0;
    const inv = 1 / (depth + 1);
    for (let i = depth - 1; i >= 0; i--) {
      const w = weight[at + i] as number;
      weight[at + i + 1] = (weight[at + i + 1] as number) + one * w * (i + 1) * inv;
      weight[at + i] = zero * w * (depth - i) * inv;
    }
  }

  /** Removes element `index` from the frame at `at` (elements 0..depth), undoing its extension. */
  unwind(at: number, depth: number, index: number): void {
    const { weight } = this;
    const one = this.one[at + index] as number;
    const zero = this.zero[at + index] as number;
    let nextOne = weight[at + depth] as number;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = weight[at + i] as number;
        weight[at + i] = (nextOne * (depth + 1)) / ((i + 1) * one);
        nextOne = tmp - ((weight[at + i] as number) * zero * (depth - i)) / (depth + 1);
      } else {
        weight[at + i] = ((weight[at + i] as number) * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      this.feature[at + i] = this.feature[at + i + 1] as number;
      this.zero[at + i] = this.zero[at + i + 1] as number;
      this.one[at + i] = this.one[at + i + 1] as number;
    }
  }

  /** The total weight of the frame's subsets without element `index` (elements 0..depth). */
  unwoundSum(at: number, depth: number, index: number): number {
    const { weight } = this;
    const one = this.one[at + index] as number;
    const zero = this.zero[at + index] as number;
    const d1 = depth + 1;
    let total = 0;
    if (one !== 0) {
      let nextOne = weight[at + depth] as number;
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = (nextOne * d1) / ((i + 1) * one);
        total += tmp;
        nextOne = (weight[at + i] as number) - (tmp * zero * (depth - i)) / d1;
      }
    } else if (zero !== 0) {
      for (let i = depth - 1; i >= 0; i--) total += (weight[at + i] as number) / zero / ((depth - i) / d1);
    }
    return total;
  }
}
