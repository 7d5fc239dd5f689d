import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { fmix32, FNV_PRIME } from '../../hashing/string-hash';

/**
 * A seeded source of uniform draws (mutable: every call advances it). All distributions in
 * `distributions.ts` are built on these two primitives.
 */
export interface RandomStream {
  /** Uniform in [0, 1), a multiple of 2^-53. */
  uniform(): number;
  /** Uniform integer in [0, n), unbiased; `n` is an integer >= 1 (n <= 2^32). */
  int(n: number): number;
}

/** A path naming one independent stream under a seed, e.g. `['transactions', customerIndex]`. */
export type StreamPath = readonly (string | number)[];


/** Safe integers and strings as uint32 words, each part tagged so ['a', 1] and ['a1'] differ. */
function words(seed: number, path: StreamPath): number[] {
  const out: number[] = [];
  const pushInt = (n: number): void => {
    if (!Number.isSafeInteger(n)) throw new RangeError(`stream key must be a safe integer, got ${n}`);
    const neg = n < 0 ? 1 : 0;
    const abs = Math.abs(n);
    out.push(0x1_0000 + neg, abs >>> 0, Math.floor(abs / 2 ** 32) >>> 0);
  };
  pushInt(seed);
  for (const part of path) {
    if (typeof part === 'number') {
      pushInt(part);
      continue;
    }
    out.push(0x2_0000, part.length);
    for (let i = 0; i < part.length; i += 1) out.push(part.charCodeAt(i));
  }
  return out;
}

/**
 * The 128-bit xoroshiro128+ state for (seed, path): four independent 32-bit hashes of the key
 * words (murmur3-style mixing with four different initial values), never all zero.
 */
export function streamState(seed: number, path: StreamPath): [number, number, number, number] {
  const key = words(seed, path);
  const state: [number, number, number, number] = [0, 0, 0, 0];
  for (let lane = 0; lane < 4; lane += 1) {
    let h = fmix32(0x9e3779b9 * (lane + 1));
    for (const w of key) h = fmix32(Math.imul(h ^ w, FNV_PRIME) + 0x7f4a7c15);
    state[lane] = fmix32(h ^ key.length) | 0;
  }
  if (state.every((w) => w === 0)) state[0] = 1;
  return state;
}

/**
 * An independent xoroshiro128+ stream (pure-rand) for `seed` and a `path`. The same (seed, path)
 * always gives the same sequence; different paths give statistically independent sequences, so
 * each consumer (customer, scenario-day, label, ...) owns its stream and adding a consumer never
 * shifts another one's draws. Throws a RangeError when `seed` or a numeric part is not a safe integer.
 */
export function createStream(seed: number, ...path: StreamPath): RandomStream {
  const rng: JumpableRandomGenerator = xoroshiro128plusFromState(streamState(seed, path));
  return {
    uniform: () => uniformFloat64(rng),
    int: (n) => uniformInt(rng, 0, n - 1),
  };
}
