import type { RandomStream } from './stream';

// Hoisted once: a global lookup per call is slow inside vm contexts (jest), and these run
// millions of times.
const { cos, exp, log, min, sqrt, PI } = Math;

/**
 * The continuous and discrete distributions the simulator draws from, each a pure function of a
 * {@link RandomStream} (and so deterministic for a seeded stream). Parameters are not validated on
 * the hot path; callers pass finite values in the documented ranges.
 */

/** Uniform in [low, high). */
export function uniform(s: RandomStream, low: number, high: number): number {
  return low + (high - low) * s.uniform();
}

/** Normal(mean, sd) by Box-Muller (cosine branch only: 2 uniforms per draw, no hidden state). */
export function normal(s: RandomStream, mean: number, sd: number): number {
  const u1 = 1 - s.uniform(); // (0, 1]: log never sees 0
  const u2 = s.uniform();
  return mean + sd * sqrt(-2 * log(u1)) * cos(2 * PI * u2);
}

/** exp(Normal(mu, sigma)): median e^mu. */
export function lognormal(s: RandomStream, mu: number, sigma: number): number {
  return exp(normal(s, mu, sigma));
}

/** Knuth's multiplication method keeps its products well above underflow up to this mean. */
const POISSON_CHUNK = 30;

/**
 * Poisson(mean), mean >= 0. Exact: Knuth's product-of-uniforms method, with a large mean split
 * into chunks of at most 30 (a sum of independent Poissons is Poisson). Cost O(mean) uniforms.
 */
export function poisson(s: RandomStream, mean: number): number {
  let total = 0;
  let rest = mean;
  while (rest > 0) {
    const lambda = min(rest, POISSON_CHUNK);
    rest -= lambda;
    const limit = exp(-lambda);
    let p = s.uniform();
    while (p > limit) {
      total += 1;
      p *= s.uniform();
    }
  }
  return total;
}

/**
 * `k` distinct integers drawn uniformly from [0, n) without replacement (Floyd's algorithm, k
 * draws), returned in ascending order. Throws a RangeError unless 0 <= k <= n.
 */
export function sampleWithoutReplacement(s: RandomStream, n: number, k: number): number[] {
  if (!(k >= 0 && k <= n)) throw new RangeError(`cannot sample ${k} of ${n} without replacement`);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j += 1) {
    const t = s.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** An index into `weights` drawn with probability proportional to its weight (weights >= 0, sum > 0). */
export function weightedIndex(s: RandomStream, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let u = s.uniform() * total;
  for (let i = 0; i < weights.length; i += 1) {
    u -= weights[i] as number;
    if (u < 0) return i;
  }
  return weights.length - 1;
}
