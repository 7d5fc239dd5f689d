import { createDecisionEvents } from '../../../src/events/decision-events';
import { createLogger } from '../../../src/telemetry/logger';

describe('ECS logging', () => {
  it('writes ECS JSON lines that Filebeat can ship as-is', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (s: string) => lines.push(s) });
    createDecisionEvents(logger, { enabled: true, sampleRate: 1 }).emit({
      transactionId: 't1',
      transaction: { transactionId: 't1', timestamp: '2018-09-01T10:00:00Z', userId: 'u', merchantId: 'm', amountMinor: 100, currency: 'EUR' },
      eventTime: 0,
      features: new Float32Array(1),
      featureSpecHash: 'x',
      score: 0.9,
      decision: 'decline',
      modelVersion: 'v1',
      shadow: null,
      degraded: false,
      degradedReasons: [],
      latencyMs: 1.5,
      decidedAt: '2026-01-01T00:00:00Z',
      applySeq: 1,
    });
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    // One "event" object only: duplicate keys would lose fields in Elasticsearch.
    expect(line.match(/"event":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({
      '@timestamp': expect.any(String),
      'log.level': 'info',
      'ecs.version': expect.any(String),
      message: 'decline t1',
      service: { name: 'fraud-scoring' },
      event: { dataset: 'fraud.decision', kind: 'event', action: 'transaction-scored', duration: 1_500_000 },
      fraud: { transaction_id: 't1', decision: 'decline', score: 0.9, model_version: 'v1' },
    });
  });

  it('writes nothing when decision events are off', () => {
    const lines: string[] = [];
    createDecisionEvents(createLogger('info', { write: (s: string) => lines.push(s) }), { enabled: false, sampleRate: 1 }).emit({} as never);
    expect(lines).toEqual([]);
  });
});
