/**
 * Dense numbers for the ids of one kind of entity (users, or merchants), in first-seen order: the
 * first id seen is 0, the next new one 1, and so on. The replay keeps its profiles in arrays
 * indexed by these numbers.
 */
export class EntityIndex {
  private readonly numbers = new Map<string, number>();
  private readonly list: string[] = [];

  /** Number of distinct ids seen. */
  get size(): number {
    return this.list.length;
  }

  /** The ids in number order (read-only). */
  get ids(): readonly string[] {
    return this.list;
  }

  /** The number of `id`, numbering it {@link size} when it is new. */
  numberOf(id: string): number {
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = this.list.length;
      this.list.push(id);
      this.numbers.set(id, n);
    }
    return n;
  }
}
