import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  readonly tracer: Tracer;
  /** Flushes and stops the exporter (no-op without one). */
  shutdown(): Promise<void>;
}

/**
 * Tracing for the service. Without an OTLP endpoint the tracer is the OpenTelemetry API's no-op
 * (spans cost next to nothing and nothing is exported); with one, spans are batched to
 * `<endpoint>/v1/traces` over OTLP/HTTP.
 */
export function createTracing(opts: { endpoint?: string | undefined; serviceName: string }): Tracing {
  if (opts.endpoint === undefined) {
    return { tracer: trace.getTracer('fraud-scoring'), shutdown: () => Promise.resolve() };
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${opts.endpoint.replace(/\/$/, '')}/v1/traces` }))],
  });
  return { tracer: provider.getTracer('fraud-scoring'), shutdown: () => provider.shutdown() };
}
