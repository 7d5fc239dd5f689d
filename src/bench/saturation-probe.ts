/**
 * How many connections saturate a server. A closed-loop load generator keeps one request in flight
 * per connection, so a server that batches work across the requests of one event-loop turn (as the
 * service batches its model runs) reaches its ceiling only with enough requests in flight, while
 * a bare server peaks with a few. One fixed count understates one of the two. So before the
 * saturation rounds each server is driven briefly at every count of a ladder, and each runs its
 * rounds at the count where it answered most: the saturation throughput is its best, not the
 * best at a count chosen for the other.
 */

/** The default ladder of connection counts, in the order probed. */
export const DEFAULT_CONNECTION_LADDER: readonly number[] = Object.freeze([16, 32, 64, 128, 256]);

/** One probe step: connections and the throughput reached with them. */
export interface ProbePoint {
  readonly connections: number;
  readonly rps: number;
}

/** Throughputs within this fraction of the highest count as equal: more connections only add queueing. */
export const PROBE_TOLERANCE = 0.02;

/**
 * The smallest connection count whose throughput is within {@link PROBE_TOLERANCE} of the highest
 * (past the knee more connections only lengthen queues, and the probe's few seconds cannot tell
 * 1 % apart). Throws a RangeError on no points.
 */
export function bestConnections(points: readonly ProbePoint[]): number {
  if (points.length === 0) throw new RangeError('no probe points');
  const top = Math.max(...points.map((p) => p.rps));
  let best = Number.POSITIVE_INFINITY;
  for (const p of points) if (p.rps >= top * (1 - PROBE_TOLERANCE) && p.connections < best) best = p.connections;
  return best;
}

/**
 * Parses a connection ladder (`"64"` or `"16,32,64"`): positive integers, no repeats, in the
 * order given. Returns null when the text is not one.
 */
export function parseConnectionLadder(text: string): number[] | null {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^[1-9]\d*$/.test(p))) return null;
  const ladder = parts.map(Number);
  return new Set(ladder).size === ladder.length ? ladder : null;
}
