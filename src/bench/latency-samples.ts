/**
 * Every latency of a step, kept exactly (a few hundred thousand doubles at most), so percentiles
 * are exact order statistics rather than bucket estimates.
 */
export class LatencySamples {
  private values = new Float64Array(1 << 14);
  private n = 0;
  private sorted = true;

  /** Records one latency, milliseconds. */
  add(ms: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = ms;
    this.sorted = false;
  }

  get count(): number {
    return this.n;
  }

  /**
   * The q-quantile (0 < q <= 1) by the nearest-rank method: the smallest sample with at least
   * q of all samples at or below it. NaN when there are no samples.
   */
  quantile(q: number): number {
    if (this.n === 0) return Number.NaN;
    const view = this.values.subarray(0, this.n);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    const rank = Math.min(this.n, Math.max(1, Math.ceil(q * this.n)));
    return view[rank - 1] as number;
  }

  /** The largest sample, NaN when there are none. */
  max(): number {
    return this.quantile(1);
  }
}
