import type { Registry } from 'prom-client';

/** One series of a {@link LeanHistogram}, its labels bound: what the hot path holds. */
export interface HistogramChild {
  /** Counts one observation (seconds; non-finite values are ignored, never thrown). */
  observe(seconds: number): void;
}

/** A value pair as prom-client's registry formats it (labels first, then the series' shared labels). */
interface ExportValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly sharedLabels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly metricName: string;
}

class Series implements HistogramChild {
  /** counts[i]: observations <= bounds[i] and > bounds[i - 1]; the last slot is above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    private readonly bounds: Float64Array,
    readonly labels: Readonly<Record<string, string>>,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number): void {
    if (!Number.isFinite(seconds)) return;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    (this.counts[i] as number)++;
    this.sum += seconds;
    this.count++;
  }
}

/**
 * A Prometheus histogram with the exposition of prom-client's `Histogram` (same `_bucket` /
 * `_sum` / `_count` lines, `le` first, cumulative buckets, `+Inf`), registered on a prom-client
 * registry, but with an `observe` that costs a few comparisons and allocates nothing (prom-client's
 * builds a closure, validates and hashes the labels and keys its buckets by number strings on every
 * call; figures in docs/performance.md). Bind a child per
 * label set at start ({@link child}); {@link observe} with a label object finds or creates it.
 */
export class LeanHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    buckets: readonly number[],
    registry: Registry,
  ) {
    this.bounds = Float64Array.from([...buckets].sort((a, b) => a - b));
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series for these label values (every label name, in any order); created once. Throws on an unknown or missing label. */
  child(labels: Readonly<Record<string, string>> = {}): HistogramChild {
    const values = this.labelNames.map((n) => {
      const v = labels[n];
      if (v === undefined) throw new Error(`${this.name}: label "${n}" is missing`);
      return v;
    });
    for (const n of Object.keys(labels)) if (!this.labelNames.includes(n)) throw new Error(`${this.name}: unknown label "${n}"`);
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) {
      const bound: Record<string, string> = {};
      this.labelNames.forEach((n, i) => (bound[n] = values[i] as string));
      s = new Series(this.bounds, bound);
      this.series.set(key, s);
    }
    return s;
  }

  /** Observes with labels given per call (off the hot path; bind a {@link child} there). */
  observe(labels: Readonly<Record<string, string>>, seconds: number): void {
    this.child(labels).observe(seconds);
  }

  /** Forgets every series (prom-client's `registry.resetMetrics()`); children bound before keep counting but are no longer exported. */
  reset(): void {
    this.series.clear();
  }

  /** What prom-client's registry formats (`getMetricsAsString`). */
  getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; values: ExportValue[]; aggregator: 'sum' }> {
    const values: ExportValue[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.counts[i] as number;
        values.push({ labels: { le: this.bounds[i] as number }, sharedLabels: s.labels, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  /** The JSON form (`getMetricsAsJSON`), as prom-client's: labels include the series' labels, buckets carry `exemplar: null`. */
  async get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    values: { labels: Record<string, string | number>; value: number; metricName: string; exemplar?: null }[];
    aggregator: 'sum';
  }> {
    const data = await this.getForPromString();
    const bucket = `${this.name}_bucket`;
    return {
      ...data,
      values: data.values.map((v) => ({
        ...(v.metricName === bucket ? { exemplar: null } : {}),
        labels: { ...v.labels, ...v.sharedLabels },
        value: v.value,
        metricName: v.metricName,
      })),
    };
  }
}
