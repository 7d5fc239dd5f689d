/**
 * Calls `expire` once `ms` milliseconds have passed (at once for `ms` <= 0) **and** the event loop
 * has read the I/O that was waiting when they had: the expiry runs in the loop's check phase
 * (`setImmediate`), after the poll phase that follows the timer. Returns the timer to clear.
 *
 * Why: a timer fires in the timers phase, before the poll phase reads sockets. When a long turn of
 * the loop (a burst of requests on a saturated replica) delays both, a plain timer declares late
 * an answer that is already sitting unread in its socket, and the work is redone or degraded just
 * when the process has the least time for it. Deferred this way, an answer that had arrived wins;
 * one that had not is late one turn of the loop later, at most.
 *
 * The returned handle is the timer: clearing it before it fires cancels the expiry. Once it has
 * fired, the pending `setImmediate` still runs; callers race `expire` against their work, so a
 * late call after the work settled is ignored by the race.
 */
export function afterDeadline(ms: number, expire: () => void): NodeJS.Timeout {
  return setTimeout(() => setImmediate(expire), Math.max(0, ms));
}
