import { fmix32, FNV_OFFSET, FNV_PRIME } from '../hashing/string-hash';

/** One Bloom filter of a fixed size: `bits` (a power of two) bits probed `probes` times per id. */
interface Layer {
  readonly words: Uint32Array;
  readonly mask: number;
  readonly probes: number;
  readonly capacity: number;
  count: number;
}

function layer(capacity: number, falsePositiveRate: number): Layer {
  // Optimal Bloom sizing: m = -n ln p / (ln 2)^2 bits, k = (m / n) ln 2 probes; m rounded up to a power of two.
  const wanted = Math.ceil((-capacity * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
  const bits = 2 ** Math.ceil(Math.log2(Math.max(wanted, 64)));
  const probes = Math.max(1, Math.round((bits / capacity) * Math.LN2));
  return { words: new Uint32Array(bits / 32), mask: bits - 1, probes, capacity, count: 0 };
}


/**
 * A set of strings that answers "maybe present" or "certainly absent": a scalable Bloom filter
 * (Almeida et al. 2007). It never forgets an id it was given, so `mightContain` is false only for
 * ids never added; it is true for an id never added with probability at most about
 * 2 × `falsePositiveRate`, however many ids it holds: when a layer is full a new one twice as large,
 * with half the false-positive rate, takes the new ids. Memory: 1.2 to 2.4 bytes per id at 1% (bit
 * arrays are rounded up to a power of two).
 *
 * Hand-written rather than a package: it sits on the scoring path, where the npm Bloom filters
 * cost microseconds per call (buffer conversion and 64-bit hashing in JS); this hashes the string's
 * UTF-16 code units twice in one pass and probes by double hashing (Kirsch and Mitzenmacher).
 */
export class IdFilter {
  private readonly layers: Layer[] = [];
  private h1 = 0;
  private h2 = 0;

  /** `initialCapacity` ids before the first growth; `falsePositiveRate` in (0, 0.5) of the first layer. */
  constructor(
    private readonly initialCapacity = 1 << 20,
    private readonly falsePositiveRate = 0.005,
  ) {
    if (!(initialCapacity >= 1) || !(falsePositiveRate > 0 && falsePositiveRate < 0.5)) {
      throw new RangeError(`IdFilter: bad capacity ${initialCapacity} or false-positive rate ${falsePositiveRate}`);
    }
    this.layers.push(layer(initialCapacity, falsePositiveRate));
  }

  /** Ids added so far (repeats included). */
  get size(): number {
    let n = 0;
    for (const l of this.layers) n += l.count;
    return n;
  }

  /** Bytes held by the bit arrays. */
  get bytes(): number {
    let n = 0;
    for (const l of this.layers) n += l.words.byteLength;
    return n;
  }

  add(id: string): void {
    let top = this.layers[this.layers.length - 1] as Layer;
    if (top.count >= top.capacity) {
      const depth = this.layers.length;
      top = layer(this.initialCapacity * 2 ** depth, this.falsePositiveRate / 2 ** depth);
      this.layers.push(top);
    }
    this.hash(id);
    const { words, mask, probes } = top;
    let h = this.h1;
    for (let i = 0; i < probes; i++) {
      const bit = h & mask;
      words[bit >>> 5] = (words[bit >>> 5] as number) | (1 << (bit & 31));
      h = (h + this.h2) | 0;
    }
    top.count++;
  }

  /** False only when `id` was never added. */
  mightContain(id: string): boolean {
    this.hash(id);
    for (let l = 0; l < this.layers.length; l++) {
      const { words, mask, probes } = this.layers[l] as Layer;
      let h = this.h1;
      let all = true;
      for (let i = 0; i < probes; i++) {
        const bit = h & mask;
        if (((words[bit >>> 5] as number) & (1 << (bit & 31))) === 0) {
          all = false;
          break;
        }
        h = (h + this.h2) | 0;
      }
      if (all) return true;
    }
    return false;
  }

  /** Two independent 32-bit hashes of the id's code units (the second odd, so every probe differs). */
  private hash(id: string): void {
    let a = FNV_OFFSET;
    let b = 0x9747b28c ^ id.length;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, FNV_PRIME);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.h1 = fmix32(a);
    this.h2 = fmix32(b) | 1;
  }
}
