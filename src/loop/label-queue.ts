/** An item due at `at` (epoch seconds). */
export interface Scheduled<T> {
  readonly at: number;
  readonly item: T;
}

/**
 * Items waiting for their time, earliest first: a binary heap by `at`. Items due at the same
 * second come out in no particular order.
 */
export class DueQueue<T> {
  private readonly heap: Scheduled<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T): void {
    const h = this.heap;
    const entry = { at, item };
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as Scheduled<T>).at <= at) break;
      h[i] = h[p] as Scheduled<T>;
      i = p;
    }
    h[i] = entry;
  }

  /** Removes and returns every item due at or before `time`, earliest first. */
  popUntil(time: number): Scheduled<T>[] {
    const out: Scheduled<T>[] = [];
    while (this.heap.length > 0 && (this.heap[0] as Scheduled<T>).at <= time) out.push(this.pop());
    return out;
  }

  private pop(): Scheduled<T> {
    const h = this.heap;
    const top = h[0] as Scheduled<T>;
    const last = h.pop() as Scheduled<T>;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && (h[l] as Scheduled<T>).at < (m === i ? last.at : (h[m] as Scheduled<T>).at)) m = l;
        if (r < h.length && (h[r] as Scheduled<T>).at < (m === i ? last.at : (h[m] as Scheduled<T>).at)) m = r;
        if (m === i) break;
        h[i] = h[m] as Scheduled<T>;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
