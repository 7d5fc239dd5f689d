import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  readonly tracer: Tracer;
  /**
   * Whether scorings add a child span per stage (profile store, features, model, decision,
   * decision log) under their `fraud.score` span; only sampled scorings do.
   */
  readonly stageSpans: boolean;
  /** Flushes and stops the exporter (no-op without one). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP/HTTP collector; without it (and without `exporter`) the tracer is a no-op. */
  readonly endpoint?: string | undefined;
  readonly serviceName: string;
  /**
   * Share of traces sampled where the service starts the trace (0..1, default 1). A caller's
   * `traceparent` decides for its own trace: sampled there, sampled here.
   */
  readonly sampleRatio?: number;
  /** Child spans per scoring stage (default true). */
  readonly stageSpans?: boolean;
  /** Spans go here instead of over OTLP, one by one (tests: an in-memory exporter). */
  readonly exporter?: SpanExporter;
}

/**
 * Tracing for the service. Without an OTLP endpoint the tracer is the OpenTelemetry API's no-op
 * (spans cost next to nothing and nothing is exported; a caller's trace context is still carried,
 * so decision events name its trace); with one, sampled spans (parent-based: the caller's
 * sampling decision wins, else `sampleRatio` of trace ids) are batched to `<endpoint>/v1/traces`
 * over OTLP/HTTP.
 */
export function createTracing(opts: TracingOptions): Tracing {
  const stageSpans = opts.stageSpans ?? true;
  if (opts.endpoint === undefined && opts.exporter === undefined) {
    return { tracer: trace.getTracer('fraud-scoring'), stageSpans: false, shutdown: () => Promise.resolve() };
  }
  const processor =
    opts.exporter !== undefined
      ? new SimpleSpanProcessor(opts.exporter)
      : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${(opts.endpoint as string).replace(/\/$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(opts.sampleRatio ?? 1) }),
    spanProcessors: [processor],
  });
  return { tracer: provider.getTracer('fraud-scoring'), stageSpans, shutdown: () => provider.shutdown() };
}
