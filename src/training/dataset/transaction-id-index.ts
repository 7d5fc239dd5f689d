import { stringHash32 } from '../../hashing/string-hash';

/**
 * Row numbers of every transaction id a replay has seen, for duplicate detection and for resolving
 * label events to their transaction. Ids are kept as bytes in one growing arena and indexed by an
 * open-addressing table of 32-bit hashes and row numbers, never as strings in a `Map`: a replay of
 * the default data set holds 1.8 million ids, and a `Map` of that many young strings cost more than
 * the rest of the bookkeeping (hashing, rehash copies, and the collector tracing every key).
 *
 * Ids are what the event contract allows: 1–64 characters of `[A-Za-z0-9._:-]`, so one byte each.
 */
export class TransactionIdIndex {
  /** Rows in insertion order: row r's id is `arena[starts[r], starts[r + 1])`. */
  private arena = Buffer.alloc(1 << 20);
  private starts = new Int32Array(1 << 16);
  private rowHash = new Int32Array(1 << 16);
  /** Slot → row + 1 (0 = empty); capacity a power of two, at most half full. */
  private slots = new Int32Array(1 << 17);
  private used = 0;
  private count = 0;

  /** Number of ids added (= the next row number). */
  get size(): number {
    return this.count;
  }

  /** Row of `id`, or -1 when it was never added. */
  find(id: string): number {
    const found = this.probe(id, stringHash32(id) | 0);
    return found >= 0 ? found : -1;
  }

  /**
   * Adds `id` as row {@link size} and returns that row. The caller has checked with {@link find}
   * that it is new; adding an id twice gives it two rows. Throws a RangeError on an id the
   * contract does not allow (longer than 64 or not one byte per character).
   */
  add(id: string): number {
    const h = stringHash32(id) | 0;
    const row = this.append(id, h);
    if (2 * this.count > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(row, h);
    return row;
  }

  /**
   * The row of `id`, added as row {@link size} when it was never added: a row below the size
   * before the call means it was there already. One hash and one probe, where `find` then `add`
   * take two. Throws like {@link add}.
   */
  findOrAdd(id: string): number {
    const h = stringHash32(id) | 0;
    const found = this.probe(id, h);
    if (found >= 0) return found;
    const row = this.append(id, h);
    // The first empty slot of the probe is where `place` would put it.
    if (2 * this.count > this.slots.length) this.rehash(this.slots.length * 2);
    else this.slots[-found - 1] = row + 1;
    return row;
  }

  /** The row of `id` (hash `h`) when it is indexed, else -(s + 1) for the empty slot s that ends its probe. */
  private probe(id: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const r = (this.slots[s] as number) - 1;
      if (r < 0) return -s - 1;
      if (this.rowHash[r] === h && this.equals(r, id)) return r;
    }
  }

  /** Appends `id` (hash `h`) as the next row, without indexing it. */
  private append(id: string, h: number): number {
    const length = id.length;
    if (length < 1 || length > 64) throw new RangeError(`transaction id of ${length} characters`);
    const row = this.count;
    if (row + 1 >= this.starts.length) this.growRows();
    const at = this.used;
    if (at + length > this.arena.length) {
      const bigger = Buffer.alloc(this.arena.length * 2 + length);
      this.arena.copy(bigger, 0, 0, at);
      this.arena = bigger;
    }
    for (let k = 0; k < length; k++) {
      const c = id.charCodeAt(k);
      if (c > 0x7f) throw new RangeError('transaction id is not ASCII');
      this.arena[at + k] = c;
    }
    this.used = at + length;
    this.rowHash[row] = h;
    this.starts[row + 1] = this.used;
    this.count = row + 1;
    return row;
  }

  /** The id of `row` (0 <= row < size), as a new string. */
  id(row: number): string {
    return this.arena.toString('latin1', this.starts[row] as number, this.starts[row + 1] as number);
  }

  private equals(row: number, id: string): boolean {
    const s = this.starts[row] as number;
    if ((this.starts[row + 1] as number) - s !== id.length) return false;
    for (let k = 0; k < id.length; k++) if (this.arena[s + k] !== id.charCodeAt(k)) return false;
    return true;
  }

  private place(row: number, h: number): void {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = row + 1;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    for (let r = 0; r < this.count; r++) this.place(r, this.rowHash[r] as number);
  }

  private growRows(): void {
    this.starts = grown(this.starts, this.starts.length * 2);
    this.rowHash = grown(this.rowHash, this.rowHash.length * 2);
  }
}

/** A copy of `a` with room for at least `need` elements (doubling). */
function grown(a: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(length);
  b.set(a);
  return b;
}
