import { fractionAtOrBelow, histogramDelta, histogramQuantile, parseHistogram } from '../../src/bench/prometheus-histograms';

const scrape = (validate: number[], count: number, sum: number) =>
  [
    '# HELP fraud_scoring_stage_duration_seconds Server-side time per scoring stage',
    '# TYPE fraud_scoring_stage_duration_seconds histogram',
    `fraud_scoring_stage_duration_seconds_bucket{le="0.0001",stage="validate"} ${validate[0]}`,
    `fraud_scoring_stage_duration_seconds_bucket{le="0.001",stage="validate"} ${validate[1]}`,
    `fraud_scoring_stage_duration_seconds_bucket{le="+Inf",stage="validate"} ${count}`,
    `fraud_scoring_stage_duration_seconds_sum{stage="validate"} ${sum}`,
    `fraud_scoring_stage_duration_seconds_count{stage="validate"} ${count}`,
    'fraud_scoring_duration_seconds_bucket{le="0.001"} 3',
    'fraud_scoring_duration_seconds_bucket{le="+Inf"} 4',
    'fraud_scoring_duration_seconds_sum 0.0042',
    'fraud_scoring_duration_seconds_count 4',
    'fraud_decisions_total{decision="approve"} 7',
  ].join('\n');

describe('prometheus histograms', () => {
  it('parses the series of one histogram by their labels other than le', () => {
    const h = parseHistogram(scrape([10, 90, 100], 100, 0.05), 'fraud_scoring_stage_duration_seconds');
    expect([...h.keys()]).toEqual(['stage=validate']);
    expect(h.get('stage=validate')).toEqual({ labels: { stage: 'validate' }, bounds: [0.0001, 0.001], cumulative: [10, 90], count: 100, sum: 0.05 });
    const plain = parseHistogram(scrape([0, 0, 0], 0, 0), 'fraud_scoring_duration_seconds');
    expect(plain.get('')).toEqual({ labels: {}, bounds: [0.001], cumulative: [3], count: 4, sum: 0.0042 });
  });

  it('takes the difference of two scrapes and estimates quantiles like histogram_quantile', () => {
    const before = parseHistogram(scrape([5, 5, 5], 5, 0.0001), 'fraud_scoring_stage_duration_seconds').get('stage=validate');
    const after = parseHistogram(scrape([15, 95, 105], 105, 0.0501), 'fraud_scoring_stage_duration_seconds').get('stage=validate');
    const d = histogramDelta(after!, before);
    expect(d.cumulative).toEqual([10, 90]);
    expect(d.count).toBe(100);
    expect(d.sum).toBeCloseTo(0.05, 10);
    // rank 50 lies in (0.0001, 0.001]: 40 of its 80 observations → halfway.
    expect(histogramQuantile(d, 0.5)).toBeCloseTo(0.00055, 10);
    // rank 5 lies in the first bucket, interpolated from 0.
    expect(histogramQuantile(d, 0.05)).toBeCloseTo(0.00005, 10);
    // rank 99 is past the last finite bound: the largest finite bound.
    expect(histogramQuantile(d, 0.99)).toBe(0.001);
    expect(fractionAtOrBelow(d, 0.001)).toBe(0.9);
    expect(histogramQuantile({ ...d, count: 0 }, 0.5)).toBeNaN();
  });

  it('refuses to subtract histograms with different buckets', () => {
    const a = { labels: {}, bounds: [1, 2], cumulative: [1, 2], count: 2, sum: 3 };
    expect(() => histogramDelta(a, { ...a, bounds: [1, 3] })).toThrow('histogram bucket layouts differ between scrapes');
  });
});
