import { createDecisionEvents, isSampled } from '../../../src/telemetry/decision-events';
import type { DecisionRecord } from '../../../src/records/decision-record';
import { ecsFormat } from '@elastic/ecs-pino-format';
import { createHmac } from 'node:crypto';
import { createLogger, ecsTimestamp } from '../../../src/telemetry/logger';

describe('ECS logging', () => {
  it('writes ECS JSON lines that Filebeat can ship as-is', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (s: string) => lines.push(s) });
    const key = 'k'.repeat(32);
    createDecisionEvents(logger, { sampleRate: 1, userId: { mode: 'pseudonym', keyHex: Buffer.from(key).toString('hex') } }).emit({
      transactionId: 't1',
      transaction: { transactionId: 't1', timestamp: '2018-09-01T10:00:00Z', userId: 'u', merchantId: 'm', amountMinor: 100, currency: 'EUR' },
      eventTime: 0,
      features: new Float32Array(1),
      contributions: null,
      rules: { version: '2026-12-07', hash: 'ab', hits: ['blocked-merchant'] },
      featureSpecHash: 'x',
      score: 0.9,
      decision: 'decline',
      modelVersion: 'v1',
      shadow: null,
      degraded: false,
      degradedReasons: [],
      latencyMs: 1.5,
      decidedAt: '2026-01-01T00:00:00Z',
      client: 'payments',
      servedBy: null,
      userReadVersion: 0,
      merchantReadVersion: 0,
      userVersion: 1,
      merchantVersion: 1,
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
      fraud: { transaction_id: 't1', decision: 'decline', score: 0.9, model_version: 'v1', client: 'payments', user_pseudonym: createHmac('sha256', key).update('u').digest('hex').slice(0, 32) },
    });
    // No raw user id by default: the pseudonym replaces it.
    expect(JSON.parse(line).fraud.user_id).toBeUndefined();
    expect(line).not.toContain('"u"');
  });

  it('samples approvals by transaction id and keeps every challenge and decline', () => {
    const record = (transactionId: string, decision: DecisionRecord['decision']) => ({ transactionId, decision }) as DecisionRecord;
    // Sequential ids, as payment systems make them; 4000 draws at 0.25 have a standard deviation of 0.007.
    const ids = Array.from({ length: 4000 }, (_, i) => `t-${i}`);
    const kept = ids.filter((id) => isSampled(record(id, 'approve'), 0.25));
    expect(Math.abs(kept.length / ids.length - 0.25)).toBeLessThan(0.025);
    for (const prefix of ['tx000', 'pay-2026-12-06-']) {
      const share = ids.filter((_, i) => isSampled(record(`${prefix}${i}`, 'approve'), 0.25)).length / ids.length;
      expect(Math.abs(share - 0.25)).toBeLessThan(0.025);
    }
    // The same id makes the same choice on a retry.
    expect(ids.filter((id) => isSampled(record(id, 'approve'), 0.25))).toEqual(kept);
    expect(ids.every((id) => isSampled(record(id, 'decline'), 0) && isSampled(record(id, 'challenge'), 0))).toBe(true);
    expect(ids.some((id) => isSampled(record(id, 'approve'), 0))).toBe(false);
  });

  it("formats @timestamp as the ECS formatter does, once per millisecond", () => {
    let now = Date.UTC(2026, 11, 6, 8, 0, 0, 123);
    const ours = ecsTimestamp(() => now);
    const theirs = ecsFormat().timestamp as () => string;
    expect(ours()).toBe(',"@timestamp":"2026-12-06T08:00:00.123Z"');
    // The same shape as the formatter's own field (its clock is the real one).
    expect(theirs()).toMatch(/^,"@timestamp":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"$/);
    expect(ours()).toBe(ours());
    now += 1;
    expect(ours()).toBe(',"@timestamp":"2026-12-06T08:00:00.124Z"');
    const line: string[] = [];
    createLogger('info', { write: (s: string) => line.push(s) }).info('x');
    const stamp = (JSON.parse(line[0] as string) as { '@timestamp': string })['@timestamp'];
    expect(Math.abs(Date.parse(stamp) - Date.now())).toBeLessThan(5_000);
  });
});
