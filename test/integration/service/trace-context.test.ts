import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { postJson, startTestService } from '../../support/service';
import { spawnService } from '../../support/spawn-service';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
const headers = { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01`, tracestate: 'congo=t61rcWkgMzE' };
const txn = (id: string) => ({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId: 'c1', merchantId: 'm1', amountMinor: 4_250, currency: 'EUR' });

/* The payment backend's trace continues through the scoring (W3C Trace Context). */
describe('trace context', () => {
  it('the scoring span joins the caller\'s trace, as a child of its span, with its tracestate; without one it starts a trace', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const svc = await startTestService({}, undefined, { tracer: provider.getTracer('test'), shutdown: () => provider.shutdown() });
    try {
      expect((await postJson(`${svc.url}/v1/score`, txn('tc-1'), headers)).status).toBe(200);
      expect((await postJson(`${svc.url}/v1/score`, txn('tc-2'))).status).toBe(200);
      const [joined, own] = exporter.getFinishedSpans();
      expect(joined?.spanContext().traceId).toBe(TRACE_ID);
      expect(joined?.parentSpanContext?.spanId).toBe(PARENT_SPAN);
      expect(joined?.spanContext().traceState?.serialize()).toBe('congo=t61rcWkgMzE');
      expect(own?.spanContext().traceId).not.toBe(TRACE_ID);
      expect(own?.parentSpanContext).toBeUndefined();
    } finally {
      await svc.close();
    }
  });

  it('exports that span over OTLP/HTTP to a collector, in the caller\'s trace', async () => {
    const bodies: unknown[] = [];
    const collector: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    // A service process of its own: the OTLP exporter loads its transport with a dynamic import,
    // which jest's module sandbox cannot run.
    const svc = await spawnService({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'fraud-scoring-test', DATA_DIR: mkdtempSync(join(tmpdir(), 'otlp-')) });
    try {
      expect((await postJson(`${svc.url}/v1/score`, txn('tc-3'), headers)).status).toBe(200);
    } finally {
      svc.child.kill('SIGTERM'); // a graceful shutdown flushes the batch exporter
      await svc.exited;
      collector.close();
    }
    type Exported = { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string; traceId: string; parentSpanId: string }[] }[] }[] };
    const spans = (bodies as Exported[]).flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, service: r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue })))));
    expect(spans).toEqual([expect.objectContaining({ name: 'fraud.score', traceId: TRACE_ID, parentSpanId: PARENT_SPAN, service: 'fraud-scoring-test' })]);
  });
});
