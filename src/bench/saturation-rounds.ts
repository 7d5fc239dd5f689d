/**
 * The saturation comparison runs as several rounds, each a baseline step and a service step back
 * to back. On a shared machine the throughput of either server drifts by tens of percent between
 * one minute and the next; a single pair measured that drift as much as the service. Pairs keep
 * each ratio local in time, the order alternates so neither server always runs second (on a
 * warmer, or a more disturbed, machine), and the report takes the median pair.
 */

/** Which server runs first in round `index` (0-based): the baseline in even rounds, the service in odd ones. */
export function serviceFirst(index: number): boolean {
  return index % 2 === 1;
}

/** One round's throughputs and their ratio. */
export interface SaturationRound {
  readonly baselineRps: number;
  readonly serviceRps: number;
  /** serviceRps / baselineRps, 3 decimals (0 when the baseline answered nothing). */
  readonly ratio: number;
  readonly serviceFirst: boolean;
}

/** The round of `baselineRps` and `serviceRps` measured as round `index`. */
export function saturationRound(index: number, baselineRps: number, serviceRps: number): SaturationRound {
  const ratio = baselineRps === 0 ? 0 : Math.round((serviceRps / baselineRps) * 1000) / 1000;
  return { baselineRps, serviceRps, ratio, serviceFirst: serviceFirst(index) };
}

/**
 * Index of the median round by ratio: the middle one for an odd count, the lower of the two
 * middle ones for an even count (so the reported ratio is always one that was measured, with the
 * steps that measured it). Ties keep round order. Throws a RangeError on no rounds.
 */
export function medianRound(rounds: readonly SaturationRound[]): number {
  if (rounds.length === 0) throw new RangeError('no saturation rounds');
  const order = rounds.map((r, i) => ({ ratio: r.ratio, i })).sort((a, b) => a.ratio - b.ratio || a.i - b.i);
  return (order[Math.floor((order.length - 1) / 2)] as { i: number }).i;
}
