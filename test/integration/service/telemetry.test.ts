import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { postJson, startTestService } from '../../support/service';

describe('telemetry', () => {
  it('traces each scoring with its decision and stage timings, and writes one ECS decision event', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const svc = await startTestService({ DECISION_EVENT_SAMPLE_RATE: '1' }, undefined, { tracer: provider.getTracer('test'), stageSpans: false, shutdown: () => provider.shutdown() });
    try {
      const r = await postJson(`${svc.url}/v1/score`, { transactionId: 'tr-1', timestamp: '2018-09-01T10:00:00Z', userId: 'c1', merchantId: 'm1', amountMinor: 91_000, currency: 'EUR' });
      expect(r.status).toBe(200);
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).toEqual(['fraud.score']);
      expect(spans[0]?.attributes).toMatchObject({
        'fraud.transaction_id': 'tr-1',
        'fraud.decision': r.body.decision,
        'fraud.score': r.body.score,
        'fraud.model_version': r.body.modelVersion,
        'fraud.degraded': false,
        'fraud.stage.model_ms': expect.any(Number),
      });
      const events = svc.logs.filter((l) => (l.event as { dataset?: string } | undefined)?.dataset === 'fraud.decision');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        event: { dataset: 'fraud.decision', kind: 'event', action: 'transaction-scored', outcome: 'success' },
        fraud: { transaction_id: 'tr-1', decision: r.body.decision, score: r.body.score, amount_minor: 91_000, currency: 'EUR' },
      });
    } finally {
      await svc.close();
    }
  });

  it('samples approvals by DECISION_EVENT_SAMPLE_RATE but always logs challenges and declines', async () => {
    const svc = await startTestService({ DECISION_EVENT_SAMPLE_RATE: '0' });
    try {
      const small = await postJson(`${svc.url}/v1/score`, { transactionId: 's-1', timestamp: '2018-09-01T10:00:00Z', userId: 'c1', merchantId: 'm1', amountMinor: 1_000, currency: 'EUR' });
      const big = await postJson(`${svc.url}/v1/score`, { transactionId: 's-2', timestamp: '2018-09-01T10:00:00Z', userId: 'c2', merchantId: 'm1', amountMinor: 91_000, currency: 'EUR' });
      expect([small.body.decision, big.body.decision]).toEqual(['approve', 'decline']);
      const ids = svc.logs.filter((l) => l.fraud !== undefined).map((l) => (l.fraud as { transaction_id: string }).transaction_id);
      expect(ids).toEqual(['s-2']);
    } finally {
      await svc.close();
    }
  });

  it('times the wait of each durable answer for its commit (the commit stage); asynchronous answers do not wait', async () => {
    const commitCount = async (url: string) => Number(/fraud_scoring_stage_duration_seconds_count\{stage="commit"\} (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
    for (const [durability, waits] of [['sync', 3], ['async', 0]] as const) {
      const svc = await startTestService({ DECISION_DURABILITY: durability });
      try {
        for (let i = 0; i < 3; i++) {
          const r = await postJson(`${svc.url}/v1/score`, { transactionId: `c-${i}`, timestamp: '2018-09-01T10:00:00Z', userId: 'c1', merchantId: 'm1', amountMinor: 1_000, currency: 'EUR' });
          expect(r.status).toBe(200);
        }
        expect(await commitCount(svc.url)).toBe(waits);
      } finally {
        await svc.close();
      }
    }
  });
});
