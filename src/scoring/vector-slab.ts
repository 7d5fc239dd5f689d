/**
 * Hands out fixed-length float32 vectors carved from shared blocks, for the one feature vector
 * every scored request needs. A `new Float32Array(36)` is above V8's on-heap limit for typed
 * arrays (64 bytes), so each would be a separately allocated, zeroed and GC-tracked backing store;
 * a view into a shared block is a small object (figures in docs/performance.md).
 *
 * A block is never handed out twice: each vector is its own `length` floats of a block no other
 * vector overlaps, zeroed, and a block is freed by the GC once none of its vectors is referenced.
 * So a vector stays valid for as long as anything holds it, exactly like one of its own; the
 * price is that a vector held long keeps its whole block (`perBlock` vectors) in memory.
 */
export class VectorSlab {
  private block: ArrayBuffer;
  private used = 0;

  /** `length` floats per vector, `perBlock` vectors per block. Throws a RangeError on sizes below 1. */
  constructor(
    private readonly length: number,
    private readonly perBlock = 256,
  ) {
    if (!(length >= 1 && perBlock >= 1)) throw new RangeError(`VectorSlab: bad length ${length} or block size ${perBlock}`);
    this.block = new ArrayBuffer(length * perBlock * 4);
  }

  /** A fresh zeroed vector of `length` floats. */
  next(): Float32Array {
    if (this.used === this.perBlock) {
      this.block = new ArrayBuffer(this.length * this.perBlock * 4);
      this.used = 0;
    }
    return new Float32Array(this.block, this.used++ * this.length * 4, this.length);
  }
}
