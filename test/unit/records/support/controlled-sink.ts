import type { BatchSink, SpillCodec } from '../../../../src/records/buffered-writer';

/**
 * An in-memory sink whose failures a test scripts: `down` fails every write, `failuresLeft` the
 * next N, and `hold` parks each write until `release(ok)` settles it (oldest first).
 */
export class ControlledSink<T> implements BatchSink<T> {
  readonly written: T[] = [];
  readonly batches: T[][] = [];
  calls = 0;
  failuresLeft = 0;
  down = false;
  hold = false;
  private readonly held: ((ok: boolean) => void)[] = [];

  async write(batch: readonly T[]): Promise<void> {
    this.calls += 1;
    if (this.hold) {
      const ok = await new Promise<boolean>((resolve) => this.held.push(resolve));
      if (!ok) throw new Error('sink down');
    } else if (this.down || this.failuresLeft > 0) {
      this.failuresLeft = Math.max(0, this.failuresLeft - 1);
      throw new Error('sink down');
    }
    this.written.push(...batch);
    this.batches.push([...batch]);
  }

  /** Writes parked by `hold` and not yet released. */
  heldCount(): number {
    return this.held.length;
  }

  /** Settles the oldest parked write: stored when `ok`, rejected otherwise. Throws when none is parked. */
  release(ok: boolean): void {
    const next = this.held.shift();
    if (next === undefined) throw new Error('no write is held');
    next(ok);
  }
}

/** Spill encoding of numbers; `decode` throws on anything but a JSON number (a torn line). */
export const numberCodec: SpillCodec<number> = {
  encode: (n) => JSON.stringify(n),
  decode: (line) => {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'number') throw new TypeError(`not a number: ${line}`);
    return v;
  },
};
