import { readFileSync, statSync } from 'node:fs';

/** Options of {@link ReloadingFile}. */
export interface ReloadingFileOptions<T> {
  readonly path: string;
  /** Turns the file's text into its value; throws (with a message naming the problem) when invalid. */
  readonly parse: (text: string) => T;
  /**
   * Other files the value is made of (a certificate's key), watched with `path`: a change to any
   * of them reloads; `parse` gets `path`'s text and reads the others itself.
   */
  readonly also?: readonly string[];
  /** How often the file is checked for a change, ms; 0 = never after the first load. */
  readonly intervalMs: number;
  /** A change that does not parse (or cannot be read): the previous value is kept. */
  readonly onError: (err: Error) => void;
  /** A change that parsed and replaced the value. */
  readonly onReload?: (value: T) => void;
}

/** The identity of files' current contents as stat sees them. */
function signature(paths: readonly string[]): string {
  return paths
    .map((path) => {
      const s = statSync(path);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    })
    .join('|');
}

/**
 * A file's parsed value, reloaded when the file changes (checked every `intervalMs` by `stat`: a
 * rename over it, as Kubernetes does when a Secret or ConfigMap changes, counts). A change that
 * fails to parse keeps the previous value and is reported. Use {@link ReloadingFile.load}.
 */
export class ReloadingFile<T> {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly opts: ReloadingFileOptions<T>,
    private current: T,
    private seen: string,
  ) {
    if (opts.intervalMs > 0) {
      this.timer = setInterval(() => this.check(), opts.intervalMs);
      this.timer.unref();
    }
  }

  /** Loads the file once (throws, naming the file, when it cannot be read or parsed) and starts watching it. */
  static load<T>(opts: ReloadingFileOptions<T>): ReloadingFile<T> {
    const seen = signature([opts.path, ...(opts.also ?? [])]);
    let value: T;
    try {
      value = opts.parse(readFileSync(opts.path, 'utf8'));
    } catch (err) {
      throw new Error(`${opts.path}: ${(err as Error).message}`);
    }
    return new ReloadingFile(opts, value, seen);
  }

  /** The latest value that parsed. */
  value(): T {
    return this.current;
  }

  /** Checks the file now (what the timer does). */
  check(): void {
    try {
      const now = signature([this.opts.path, ...(this.opts.also ?? [])]);
      if (now === this.seen) return;
      this.seen = now;
      this.current = this.opts.parse(readFileSync(this.opts.path, 'utf8'));
      this.opts.onReload?.(this.current);
    } catch (err) {
      this.opts.onError(new Error(`${this.opts.path}: ${(err as Error).message}; keeping the previous contents`));
    }
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
