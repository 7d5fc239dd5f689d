import { formatRfc3339 } from '../../features';
import type { FieldError } from './validators';

/** The accepted range of event times around the service's clock, fixed at start-up. */
export interface EventTimeCheckOptions {
  /** How far ahead of the clock an event time may be, seconds (EVENT_MAX_SKEW_S). */
  readonly maxSkewSeconds: number;
  /** How far behind the clock an event time may be, seconds (EVENT_MAX_AGE_S). */
  readonly maxAgeSeconds: number;
  /** The service's wall clock, epoch milliseconds (`Date.now` in production; tests pass a fixed one). */
  readonly now: () => number;
}

/**
 * Checks an event time (epoch seconds, as `parseRfc3339` gives it) against the clock. Returns null
 * when it lies in `[now - maxAge, now + maxSkew]` (both ends included, `now` in whole seconds), else
 * the violation for the field at `path` (a JSON Pointer such as `/timestamp`) naming the limit.
 * Never throws; allocates only for a refused time.
 */
export type EventTimeCheck = (epochSeconds: number, path: string) => FieldError | null;

/**
 * The check of {@link EventTimeCheckOptions} (build it once, at start-up). Why the range exists: a
 * profile tier's `top` is the largest bucket id ever merged, so a single far-future event would
 * hide every current bucket of that profile for good; an ancient one only costs a store write.
 */
export function createEventTimeCheck({ maxSkewSeconds, maxAgeSeconds, now }: EventTimeCheckOptions): EventTimeCheck {
  const clock = (nowSeconds: number) => `the service's clock reads ${formatRfc3339(nowSeconds)}`;
  return (epochSeconds, path) => {
    const nowSeconds = Math.floor(now() / 1000);
    if (epochSeconds > nowSeconds + maxSkewSeconds) return { path, message: `is more than ${maxSkewSeconds} s in the future (${clock(nowSeconds)})` };
    if (epochSeconds < nowSeconds - maxAgeSeconds) return { path, message: `is older than ${maxAgeSeconds} s (${clock(nowSeconds)})` };
    return null;
  };
}
