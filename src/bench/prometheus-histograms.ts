/** One histogram series (one label set) from a Prometheus text exposition. */
export interface HistogramSeries {
  /** Labels other than `le`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Finite upper bounds, ascending (seconds for `_seconds` histograms). */
  readonly bounds: readonly number[];
  /** Cumulative counts per bound; `count` is the +Inf bucket. */
  readonly cumulative: readonly number[];
  readonly count: number;
  readonly sum: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (text === undefined) return labels;
  for (const m of text.matchAll(LABEL)) labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
  return labels;
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .filter((k) => k !== 'le')
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

interface Building {
  labels: Record<string, string>;
  buckets: Map<number, number>;
  count: number;
  sum: number;
}

/**
 * The series of histogram `name` in a Prometheus text exposition (`name_bucket`, `name_sum`,
 * `name_count` lines), keyed by their labels other than `le` (`k=v,k=v`, sorted; `` for none).
 * Lines of other metrics are ignored.
 */
export function parseHistogram(text: string, name: string): Map<string, HistogramSeries> {
  const building = new Map<string, Building>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (m === null) continue;
    const metric = m[1] as string;
    const suffix = metric.slice(name.length);
    if (suffix !== '_bucket' && suffix !== '_sum' && suffix !== '_count') continue;
    const labels = parseLabels(m[2]);
    const key = seriesKey(labels);
    let b = building.get(key);
    if (b === undefined) {
      const { le: _le, ...rest } = labels;
      b = { labels: rest, buckets: new Map(), count: 0, sum: 0 };
      building.set(key, b);
    }
    const value = Number(m[3]);
    if (suffix === '_sum') b.sum = value;
    else if (suffix === '_count') b.count = value;
    else if (labels.le !== undefined && labels.le !== '+Inf') b.buckets.set(Number(labels.le), value);
  }
  const out = new Map<string, HistogramSeries>();
  for (const [key, b] of building) {
    const bounds = [...b.buckets.keys()].sort((x, y) => x - y);
    out.set(key, { labels: b.labels, bounds, cumulative: bounds.map((x) => b.buckets.get(x) as number), count: b.count, sum: b.sum });
  }
  return out;
}

/**
 * The observations made between two scrapes of the same series (`after - before`). Throws when
 * the bucket layouts differ.
 */
export function histogramDelta(after: HistogramSeries, before: HistogramSeries | undefined): HistogramSeries {
  if (before === undefined) return after;
  if (before.bounds.length !== after.bounds.length || before.bounds.some((b, i) => b !== after.bounds[i])) throw new Error('histogram bucket layouts differ between scrapes');
  return {
    labels: after.labels,
    bounds: after.bounds,
    cumulative: after.cumulative.map((c, i) => c - (before.cumulative[i] as number)),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * The q-quantile of a histogram as PromQL's `histogram_quantile` estimates it: linear
 * interpolation inside the bucket that holds the rank (from 0 for the first bucket); a rank in
 * the +Inf bucket gives the largest finite bound. NaN for an empty histogram.
 */
export function histogramQuantile(h: HistogramSeries, q: number): number {
  if (h.count === 0) return Number.NaN;
  const rank = q * h.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    const upper = h.bounds[i] as number;
    const c = h.cumulative[i] as number;
    if (c >= rank) return c === lowerCount ? upper : lowerBound + ((upper - lowerBound) * (rank - lowerCount)) / (c - lowerCount);
    lowerBound = upper;
    lowerCount = c;
  }
  return h.bounds[h.bounds.length - 1] ?? Number.NaN;
}

/** Fraction of observations at or below `bound` (which must be one of the bucket bounds). */
export function fractionAtOrBelow(h: HistogramSeries, bound: number): number {
  const i = h.bounds.indexOf(bound);
  if (i < 0) throw new RangeError(`${bound} is not a bucket bound`);
  return h.count === 0 ? Number.NaN : (h.cumulative[i] as number) / h.count;
}
