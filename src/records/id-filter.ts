import { fmix32, FNV_OFFSET, FNV_PRIME } from '../hashing/string-hash';

/** Words (32 bits each) of one block: 512 bits, one 64-byte cache line. */
const BLOCK_WORDS = 16;
/**
 * Extra bits a blocked filter needs for the false-positive rate of a classic one: ids fall
 * unevenly on blocks (Putze et al. 2007); 30 % more covers 512-bit blocks at the rates used here.
 */
const BLOCKED_OVERHEAD = 1.3;

/**
 * One blocked Bloom filter of a fixed size: `blocks` (a power of two) blocks of 512 bits; an id
 * picks one block and sets `probes` bits in it.
 */
interface Layer {
  readonly words: Uint32Array;
  /** blocks - 1. */
  readonly blockMask: number;
  readonly probes: number;
  readonly capacity: number;
  count: number;
}

function layer(capacity: number, falsePositiveRate: number): Layer {
  // Bloom sizing: m = -n ln p / (ln 2)^2 bits (times the blocked overhead), rounded up to a power
  // of two; k = (m / n) ln 2 probes, at most 16 (more buys nothing in a 512-bit block).
  const wanted = Math.ceil(((-capacity * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2)) * BLOCKED_OVERHEAD);
  const bits = 2 ** Math.ceil(Math.log2(Math.max(wanted, 512)));
  const probes = Math.min(16, Math.max(1, Math.round((bits / capacity) * Math.LN2)));
  return { words: new Uint32Array(bits / 32), blockMask: bits / 512 - 1, probes, capacity, count: 0 };
}


/**
 * A set of strings that answers "maybe present" or "certainly absent": a scalable Bloom filter
 * (Almeida et al. 2007). It never forgets an id it was given, so `mightContain` is false only for
 * ids never added; it is true for an id never added with probability at most about
 * 2 × `falsePositiveRate`, however many ids it holds: when a layer is full a new one twice as large,
 * with half the false-positive rate, takes the new ids. Memory: 1.6 to 3.1 bytes per id at 1% (bit
 * arrays are rounded up to a power of two; 2 bytes at the default size).
 *
 * Hand-written rather than a package: it sits on the scoring path, where the npm Bloom filters
 * cost microseconds per call (buffer conversion and 64-bit hashing in JS); this hashes the string's
 * UTF-16 code units twice in one pass. Blocked (Putze et al. 2007): the first hash picks one
 * 64-byte block, the second probes bits inside it by double hashing (Kirsch and Mitzenmacher), so
 * an id costs one cache miss per layer instead of one per probe (11 at the default size).
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
    const { words, probes } = top;
    const base = (this.h1 & top.blockMask) * BLOCK_WORDS;
    const step = this.step();
    let h = this.h2;
    for (let i = 0; i < probes; i++) {
      const w = base + ((h >>> 5) & (BLOCK_WORDS - 1));
      words[w] = (words[w] as number) | (1 << (h & 31));
      h = (h + step) | 0;
    }
    top.count++;
  }

  /** False only when `id` was never added. */
  mightContain(id: string): boolean {
    this.hash(id);
    const step = this.step();
    for (let l = 0; l < this.layers.length; l++) {
      const { words, blockMask, probes } = this.layers[l] as Layer;
      const base = (this.h1 & blockMask) * BLOCK_WORDS;
      let h = this.h2;
      let all = true;
      for (let i = 0; i < probes; i++) {
        if (((words[base + ((h >>> 5) & (BLOCK_WORDS - 1))] as number) & (1 << (h & 31))) === 0) {
          all = false;
          break;
        }
        h = (h + step) | 0;
      }
      if (all) return true;
    }
    return false;
  }

  /** The in-block probe step: the first hash's top bits (its low bits pick the block), odd. */
  private step(): number {
    return ((this.h1 >>> 16) | (this.h1 << 16)) | 1;
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
