import type { DecisionLog } from '../../../src/records/decision-log';
import type { DecisionRecord } from '../../../src/records/decision-record';
import { LABEL_EVENTS_OFF } from '../../../src/telemetry/label-events';
import { openSqlite } from '../../../src/records/sqlite/sqlite-database';
import { SqliteLabelStore } from '../../../src/records/sqlite/sqlite-label-store';
import type { Reconciler } from '../../../src/scoring/reconciler';
import { FeedbackService } from '../../../src/scoring/feedback-service';
import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import { createServiceMetrics } from '../../../src/telemetry/metrics';
import { decisionRecord } from '../../contract/support/decision-records';

/** A shared decision log (no getSync) that holds `record` only from the `visibleFrom`-th look-up on. */
function lateLog(record: DecisionRecord, visibleFrom: number): DecisionLog & { lookups: number } {
  const log = {
    kind: 'postgres' as const,
    lookups: 0,
    get(id: string) {
      log.lookups += 1;
      return Promise.resolve(id === record.transactionId && log.lookups >= visibleFrom ? record : null);
    },
    durable: () => Promise.resolve(),
  };
  return log as unknown as DecisionLog & { lookups: number };
}

async function service(log: DecisionLog) {
  const db = openSqlite(':memory:');
  const reconciler = { label: () => undefined, decision: () => undefined } as unknown as Reconciler;
  return new FeedbackService({
    decisionLog: log,
    labels: new SqliteLabelStore(db),
    store: await MemoryProfileStore.create(),
    reconciler,
    metrics: createServiceMetrics(),
    events: LABEL_EVENTS_OFF,
    wallClock: () => new Date('2018-04-10T00:00:00Z'),
    storeTimeoutMs: 20,
    onBackgroundError: () => undefined,
  });
}

const label = { transactionId: 'late-1', label: 'fraud' as const, source: 'user_confirmation' as const, reportedAt: '2018-04-09T12:00:00Z' };

describe('FeedbackService with a log shared by replicas', () => {
  test('a decision another replica answered a moment ago (not in the log yet) is waited for, not refused', async () => {
    const log = lateLog(decisionRecord('late-1', 1_523_000_000), 4);
    const outcome = await (await service(log)).record(label, 'confirmation-app');
    expect(outcome).toMatchObject({ kind: 'recorded', duplicate: false, resolvedLabel: 'fraud' });
    expect(log.lookups).toBe(4);
  });

  test('an id no replica answered is unknown after the grace of a second', async () => {
    const log = lateLog(decisionRecord('other', 1_523_000_000), 1);
    const started = performance.now();
    await expect((await service(log)).record(label, 'confirmation-app')).resolves.toEqual({ kind: 'unknown_transaction' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
  });
});
