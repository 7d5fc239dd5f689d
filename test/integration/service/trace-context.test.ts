import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createTracing } from '../../../src/telemetry/tracing';
import { postJson, startTestService } from '../../support/service';
import { spawnService } from '../../support/spawn-service';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
const headers = { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01`, tracestate: 'congo=t61rcWkgMzE' };
const txn = (id: string) => ({ transactionId: id, timestamp: '2018-09-01T10:00:00Z', userId: 'c1', merchantId: 'm1', amountMinor: 4_250, currency: 'EUR' });

/* The payment backend's trace continues through the scoring (W3C Trace Context). */
describe('trace context', () => {
  it('the scoring span joins the caller\'s trace, as a child of its span, with its tracestate and a child per stage; its decision event names the trace', async () => {
    const exporter = new InMemorySpanExporter();
    const svc = await startTestService({ DECISION_EVENT_SAMPLE_RATE: '1' }, undefined, createTracing({ serviceName: 'test', exporter }));
    try {
      expect((await postJson(`${svc.url}/v1/score`, txn('tc-1'), headers)).status).toBe(200);
      expect((await postJson(`${svc.url}/v1/score`, txn('tc-2'))).status).toBe(200);
      const spans = exporter.getFinishedSpans();
      const roots = spans.filter((s) => s.name === 'fraud.score');
      const [joined, own] = roots;
      expect(roots).toHaveLength(2);
      expect(joined?.spanContext().traceId).toBe(TRACE_ID);
      expect(joined?.parentSpanContext?.spanId).toBe(PARENT_SPAN);
      expect(joined?.spanContext().traceState?.serialize()).toBe('congo=t61rcWkgMzE');
      expect(own?.spanContext().traceId).not.toBe(TRACE_ID);
      expect(own?.parentSpanContext).toBeUndefined();
      // Each scoring's stages are its children, in order, inside its time.
      const root = joined as NonNullable<typeof joined>;
      const children = spans.filter((s) => s.parentSpanContext?.spanId === root.spanContext().spanId);
      expect(children.map((s) => s.name)).toEqual(['fraud.profile_store', 'fraud.features', 'fraud.model', 'fraud.decision', 'fraud.decision_log']);
      const ns = (t: [number, number]) => t[0] * 1e9 + t[1];
      for (const c of children) {
        expect(c.spanContext().traceId).toBe(TRACE_ID);
        expect(ns(c.startTime)).toBeGreaterThanOrEqual(ns(root.startTime) - 1e6);
        expect(ns(c.endTime)).toBeLessThanOrEqual(ns(root.endTime) + 1e6);
      }
      const event = svc.logs.find((l) => (l.fraud as { transaction_id?: string } | undefined)?.transaction_id === 'tc-1');
      expect(event).toMatchObject({ trace: { id: TRACE_ID }, span: { id: root.spanContext().spanId } });
    } finally {
      await svc.close();
    }
  });

  it('samples TRACE_SAMPLE_RATIO of the traces it starts, every trace the caller sampled, none the caller did not; the event names the trace either way', async () => {
    const exporter = new InMemorySpanExporter();
    const svc = await startTestService({ DECISION_EVENT_SAMPLE_RATE: '1' }, undefined, createTracing({ serviceName: 'test', exporter, sampleRatio: 0 }));
    try {
      expect((await postJson(`${svc.url}/v1/score`, txn('ts-own'))).status).toBe(200);
      expect((await postJson(`${svc.url}/v1/score`, txn('ts-sampled'), headers)).status).toBe(200);
      const unsampled = { traceparent: `00-${'1'.repeat(32)}-${PARENT_SPAN}-00` };
      expect((await postJson(`${svc.url}/v1/score`, txn('ts-unsampled'), unsampled)).status).toBe(200);
      const traces = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId));
      expect([...traces]).toEqual([TRACE_ID]);
      const eventOf = (id: string) => svc.logs.find((l) => (l.fraud as { transaction_id?: string } | undefined)?.transaction_id === id) as { trace?: { id: string } };
      expect(eventOf('ts-unsampled').trace?.id).toBe('1'.repeat(32));
      expect(eventOf('ts-sampled').trace?.id).toBe(TRACE_ID);
    } finally {
      await svc.close();
    }
  });

  it('without tracing, the decision event still names the caller\'s trace', async () => {
    const svc = await startTestService({ DECISION_EVENT_SAMPLE_RATE: '1' });
    try {
      expect((await postJson(`${svc.url}/v1/score`, txn('tn-1'), headers)).status).toBe(200);
      expect((await postJson(`${svc.url}/v1/score`, txn('tn-2'))).status).toBe(200);
      const eventOf = (id: string) => svc.logs.find((l) => (l.fraud as { transaction_id?: string } | undefined)?.transaction_id === id);
      expect(eventOf('tn-1')).toMatchObject({ trace: { id: TRACE_ID } });
      expect(eventOf('tn-2')?.trace).toBeUndefined();
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
    type Exported = { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string; traceId: string; spanId: string; parentSpanId: string }[] }[] }[] };
    const spans = (bodies as Exported[]).flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, service: r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue })))));
    const root = spans.find((s) => s.name === 'fraud.score');
    expect(root).toEqual(expect.objectContaining({ traceId: TRACE_ID, parentSpanId: PARENT_SPAN, service: 'fraud-scoring-test' }));
    expect(spans.filter((s) => s.parentSpanId === root?.spanId).map((s) => s.name).sort()).toEqual(['fraud.decision', 'fraud.decision_log', 'fraud.features', 'fraud.model', 'fraud.profile_store']);
  });
});
