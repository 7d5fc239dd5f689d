import { afterDeadline } from './deadline';

/** How a promise settled within a deadline. */
export type Settled<T> = { readonly kind: 'value'; readonly value: T } | { readonly kind: 'error'; readonly error: unknown } | { readonly kind: 'late' };

const LATE = { kind: 'late' } as const;

/**
 * How `work` settled within `ms` milliseconds: its value, its rejection, or `late` when it had not
 * settled by then (with `ms` <= 0: unless it already had). "By then" includes the I/O waiting to be
 * read when the time was up (see `afterDeadline`). Never rejects; the timer is cleared as soon as
 * `work` settles, and `work` itself goes on (a late rejection is swallowed, never unhandled).
 */
export function settleWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = afterDeadline(ms, () => resolve(LATE));
  });
  const settled = work.then(
    (value): Settled<T> => ({ kind: 'value', value }),
    (error: unknown): Settled<T> => ({ kind: 'error', error }),
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
