import type { Logger } from 'pino';

/** Reports a background or request error: what failed, and the error. */
export type ErrorSink = (what: string, err: unknown) => void;

export interface ThrottledErrorLog {
  readonly report: ErrorSink;
  /** Writes the pending repeat counts now (at shutdown) and stops the timer. */
  close(): void;
}

export interface ErrorLogOptions {
  /** Length of one interval, ms: an error is logged in full once per interval, its repeats as one count. */
  readonly intervalMs: number;
}

/** Digits-bearing tokens (ids, ports, addresses, counts) become `*`, so one failure repeated for many keys is one kind. */
function kindOf(text: string): string {
  return text.replace(/[\w.:/-]*\d[\w.:/-]*/g, '*');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

interface Repeats {
  readonly what: string;
  readonly message: string;
  count: number;
}

/**
 * An error log that cannot flood: the first error of a kind (what failed and the error's message,
 * with ids and numbers masked) in each interval is logged in full, with its stack; further ones
 * of that kind in the interval are only counted, and one line per kind at the interval's end says
 * how many there were (`repeated`). During an outage of a dependency that is a few lines per
 * interval instead of one stack per request. The timer does not keep the process alive.
 */
export function createThrottledErrorLog(logger: Pick<Logger, 'error'>, options: ErrorLogOptions): ThrottledErrorLog {
  let seen = new Map<string, Repeats>();
  const summarize = () => {
    const last = seen;
    seen = new Map();
    for (const r of last.values()) {
      if (r.count > 0) logger.error({ repeated: r.count, error: { message: r.message } }, `${r.what}: the same error ${r.count} more times in the last ${options.intervalMs / 1000} s`);
    }
  };
  const timer = setInterval(summarize, options.intervalMs);
  timer.unref();
  return {
    report(what, err) {
      const message = messageOf(err);
      const kind = `${kindOf(what)}\u0000${kindOf(message)}`;
      const r = seen.get(kind);
      if (r !== undefined) {
        r.count += 1;
        return;
      }
      seen.set(kind, { what, message, count: 0 });
      logger.error({ err }, what);
    },
    close() {
      clearInterval(timer);
      summarize();
    },
  };
}
