/**
 * A bounded map from transactionId to the settled (or settling) answer, oldest evicted first.
 * Holding the promise, not just the result, makes concurrent retries wait for the first attempt
 * instead of scoring (and updating profiles) twice.
 *
 * Two generations of at most `capacity / 2` entries each: new entries go to the young one; when it
 * is full it becomes the old one and the previous old one is dropped whole. So it holds the
 * `capacity / 2` to `capacity` most recent entries, and eviction is O(1) with no per-entry delete:
 * a Map that deletes its oldest key on every insert pays for it twice (measured at 200k entries:
 * 13-45 µs per insert, as finding the oldest key skips every deleted slot, plus a 5-30 ms rehash
 * stall every ~60k inserts).
 */
export class RecentResponses<V> {
  private young = new Map<string, Promise<V>>();
  private old = new Map<string, Promise<V>>();
  private readonly generation: number;

  constructor(capacity: number) {
    this.generation = Math.ceil(capacity / 2);
  }

  get(id: string): Promise<V> | undefined {
    return this.young.get(id) ?? this.old.get(id);
  }

  set(id: string, value: Promise<V>): void {
    if (this.generation === 0) return;
    this.old.delete(id);
    this.young.set(id, value);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(id: string): void {
    this.young.delete(id);
    this.old.delete(id);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
