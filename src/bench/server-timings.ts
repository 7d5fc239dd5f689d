import { STAGES, type Stage } from '../telemetry/metrics';
import { fractionAtOrBelow, histogramDelta, histogramQuantile, parseHistogram, type HistogramSeries } from './prometheus-histograms';

/** The scoring stages the service times (fraud_scoring_stage_duration_seconds{stage}), as the service names them. */
export { STAGES };
export type StageName = Stage;

/** Quantiles of one server-side timer over a step, ms (estimated from histogram buckets). */
export interface TimerSummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

/** The service's own view of a step, from its /metrics. */
export interface ServerTimings {
  readonly stages: Readonly<Record<StageName, TimerSummary>>;
  /** fraud_scoring_duration_seconds: validated request to decision, excluding HTTP and validation. */
  readonly scoring: TimerSummary & { readonly atOrBelow1Ms: number };
  /** fraud_http_request_duration_seconds for POST /v1/score 200: the whole request inside express. */
  readonly http: TimerSummary;
  /**
   * Answers whose record the decision log did not commit within the deadline, persisted to the
   * spill file instead (fraud_decision_log_commit_timeouts_total over the step).
   */
  readonly commitTimeouts: number;
  /**
   * Fresh decisions by outcome over the step (fraud_decisions_total): challenges and declines are
   * the answers explained with reason codes while the request waits.
   */
  readonly decisions: Readonly<Record<Decision, number>>;
}

/** A scrape of the histograms the benchmark reads. */
export interface MetricsScrape {
  readonly stages: Map<string, HistogramSeries>;
  readonly scoring: Map<string, HistogramSeries>;
  readonly http: Map<string, HistogramSeries>;
  readonly commitTimeouts: number;
  readonly decisions: Readonly<Record<Decision, number>>;
}

type Decision = 'approve' | 'challenge' | 'decline';
const DECISIONS: readonly Decision[] = ['approve', 'challenge', 'decline'];

const STAGE_METRIC = 'fraud_scoring_stage_duration_seconds';
const SCORING_METRIC = 'fraud_scoring_duration_seconds';
const HTTP_METRIC = 'fraud_http_request_duration_seconds';
const HTTP_SERIES = 'method=POST,route=/v1/score,status=200';
const COMMIT_TIMEOUTS = /^fraud_decision_log_commit_timeouts_total(?:\{\})? (\S+)$/m;
const decisionCount = (text: string, d: Decision): number => {
  const m = new RegExp(`^fraud_decisions_total\\{decision="${d}"\\} (\\S+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
};

/** GETs `<url>/metrics` and keeps the histograms the benchmark reads. Rejects on a non-200. */
export async function scrapeMetrics(url: string): Promise<MetricsScrape> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${url}/metrics answered ${res.status}`);
  return parseScrape(await res.text());
}

/** The histograms and counter the benchmark reads, from a Prometheus text exposition. */
export function parseScrape(text: string): MetricsScrape {
  const timeouts = COMMIT_TIMEOUTS.exec(text);
  return {
    stages: parseHistogram(text, STAGE_METRIC),
    scoring: parseHistogram(text, SCORING_METRIC),
    http: parseHistogram(text, HTTP_METRIC),
    commitTimeouts: timeouts === null ? 0 : Number(timeouts[1]),
    decisions: { approve: decisionCount(text, 'approve'), challenge: decisionCount(text, 'challenge'), decline: decisionCount(text, 'decline') },
  };
}

const ms = (seconds: number) => Math.round(seconds * 1e6) / 1e3;

function summarize(after: HistogramSeries | undefined, before: HistogramSeries | undefined): TimerSummary & { delta: HistogramSeries | null } {
  if (after === undefined) return { count: 0, meanMs: Number.NaN, p50Ms: Number.NaN, p99Ms: Number.NaN, p999Ms: Number.NaN, delta: null };
  const d = histogramDelta(after, before);
  return {
    count: d.count,
    meanMs: d.count === 0 ? Number.NaN : ms(d.sum / d.count),
    p50Ms: ms(histogramQuantile(d, 0.5)),
    p99Ms: ms(histogramQuantile(d, 0.99)),
    p999Ms: ms(histogramQuantile(d, 0.999)),
    delta: d,
  };
}

function strip({ delta: _delta, ...rest }: TimerSummary & { delta: HistogramSeries | null }): TimerSummary {
  return rest;
}

/**
 * The server-side timings of the requests between two scrapes. Quantiles are bucket estimates
 * (interpolated like PromQL's histogram_quantile); `scoring.atOrBelow1Ms` is exact (1 ms is a
 * bucket bound).
 */
export function serverTimings(before: MetricsScrape, after: MetricsScrape): ServerTimings {
  const stages = {} as Record<StageName, TimerSummary>;
  for (const s of STAGES) stages[s] = strip(summarize(after.stages.get(`stage=${s}`), before.stages.get(`stage=${s}`)));
  const scoring = summarize(after.scoring.get(''), before.scoring.get(''));
  return {
    stages,
    scoring: { ...strip(scoring), atOrBelow1Ms: scoring.delta === null ? Number.NaN : Math.round(fractionAtOrBelow(scoring.delta, 0.001) * 1e5) / 1e5 },
    http: strip(summarize(after.http.get(HTTP_SERIES), before.http.get(HTTP_SERIES))),
    commitTimeouts: after.commitTimeouts - before.commitTimeouts,
    decisions: Object.fromEntries(DECISIONS.map((d) => [d, after.decisions[d] - before.decisions[d]])) as Record<Decision, number>,
  };
}
