/**
 * A bounded map from transactionId to the settled (or settling) answer, oldest evicted first.
 * Holding the promise, not just the result, makes concurrent retries wait for the first attempt
 * instead of scoring (and updating profiles) twice.
 */
export class RecentResponses<V> {
  private readonly map = new Map<string, Promise<V>>();

  constructor(private readonly capacity: number) {}

  get(id: string): Promise<V> | undefined {
    return this.map.get(id);
  }

  set(id: string, value: Promise<V>): void {
    if (this.capacity === 0) return;
    this.map.set(id, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  delete(id: string): void {
    this.map.delete(id);
  }

  get size(): number {
    return this.map.size;
  }
}
