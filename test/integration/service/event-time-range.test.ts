import fc from 'fast-check';
import { formatRfc3339, TIER_INDEX, windowSum } from '../../../features';
import type { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import { postJson, startTestService, type TestService } from '../../support/service';

// The service's clock is fixed (a quarter second past a whole second: the range is in whole seconds).
const NOW_S = Date.parse('2026-03-01T12:00:07Z') / 1000;
const CLOCK = `the service's clock reads ${formatRfc3339(NOW_S)}`;
const SKEW_S = 300;
const AGE_S = 7 * 86_400;
const inRange = (t: number) => t >= NOW_S - AGE_S && t <= NOW_S + SKEW_S;

const txn = (id: string, t: number | string, over: Record<string, unknown> = {}) => ({
  transactionId: id,
  timestamp: typeof t === 'number' ? formatRfc3339(t) : t,
  userId: `u-${id}`,
  merchantId: 'm-time',
  amountMinor: 4_250,
  currency: 'EUR',
  channel: 'ecommerce',
  merchantCountry: 'FR',
  userCountry: 'FR',
  ...over,
});

const label = (transactionId: string, t: number | string, source = 'chargeback') => ({
  transactionId,
  label: 'fraud',
  source,
  reportedAt: typeof t === 'number' ? formatRfc3339(t) : t,
});

const refused = (what: 'transaction' | 'label event', path: string, message: string) => ({
  status: 422,
  body: { error: { code: 'timestamp_out_of_range', message: `the ${what} is outside the accepted time range`, details: [{ path, message }] } },
});
const FUTURE = `is more than ${SKEW_S} s in the future (${CLOCK})`;
const OLD = `is older than ${AGE_S} s (${CLOCK})`;

describe('event times are checked against the service clock', () => {
  let svc: TestService;
  let score: string;
  const decision = async (id: string) => {
    const res = await fetch(`${svc.url}/v1/decisions/${id}`);
    return { status: res.status, body: (await res.json()) as { features: Record<string, number | null>; labels: unknown[] } };
  };
  const profiles = () => (svc.store as MemoryProfileStore).size();

  beforeAll(async () => {
    svc = await startTestService({ EVENT_MAX_SKEW_S: String(SKEW_S), EVENT_MAX_AGE_S: String(AGE_S), DECISION_EVENTS: 'off' }, undefined, undefined, () => NOW_S * 1000 + 250);
    score = `${svc.url}/v1/score`;
  });
  afterAll(async () => {
    await svc.close();
  });

  it('refuses a transaction dated 2100 or 1970 with a 422 naming /timestamp, and keeps no trace of it', async () => {
    const before = profiles();
    expect(await postJson(score, txn('far-future', '2100-01-01T00:00:00Z'))).toEqual(refused('transaction', '/timestamp', FUTURE));
    expect(await postJson(score, txn('epoch', '1970-01-01T00:00:00Z'))).toEqual(refused('transaction', '/timestamp', OLD));
    expect(profiles()).toEqual(before);
    expect((await svc.store.get('u-far-future', 'm-time')).user.total).toBe(0);
    expect((await decision('far-future')).status).toBe(404);
    expect((await decision('epoch')).status).toBe(404);
    // No idempotency record either: the same id with a time in range is scored afresh.
    expect((await postJson(score, txn('far-future', NOW_S))).status).toBe(200);
    expect((await svc.store.get('u-far-future', 'm-time')).user.total).toBe(1);
    expect(await svc.metrics.registry.getSingleMetricAsString('fraud_http_request_duration_seconds')).toContain('route="/v1/score",method="POST",status="422"');
  });

  it('accepts the bounds exactly and refuses one second beyond either', async () => {
    expect((await postJson(score, txn('skew-edge', NOW_S + SKEW_S))).status).toBe(200);
    expect(await postJson(score, txn('skew-beyond', NOW_S + SKEW_S + 1))).toEqual(refused('transaction', '/timestamp', FUTURE));
    expect((await postJson(score, txn('age-edge', NOW_S - AGE_S))).status).toBe(200);
    expect(await postJson(score, txn('age-beyond', NOW_S - AGE_S - 1))).toEqual(refused('transaction', '/timestamp', OLD));
    // The instant counts, not how it is written: the skew bound at +02:00 is accepted, a second more is not.
    const local = (t: number) => formatRfc3339(t + 7_200).replace('Z', '+02:00');
    expect((await postJson(score, txn('skew-edge-local', local(NOW_S + SKEW_S)))).status).toBe(200);
    expect((await postJson(score, txn('skew-beyond-local', local(NOW_S + SKEW_S + 1)))).status).toBe(422);
    expect((await decision('skew-beyond')).status).toBe(404);
    expect((await decision('age-beyond')).status).toBe(404);
  });

  it('refuses a label dated 2100 or 1970 with a 422 naming /reportedAt, storing neither label nor profile change', async () => {
    expect((await postJson(score, txn('labeled', NOW_S - 60))).status).toBe(200);
    const feedback = `${svc.url}/v1/feedback`;
    const frauds = async () => {
      const day = Math.floor((NOW_S - 60) / 86_400);
      const { user, merchant } = await svc.store.get('u-labeled', 'm-time');
      return [windowSum(user, TIER_INDEX.d1, 'f', day, day), windowSum(merchant, TIER_INDEX.d1, 'f', day, day)];
    };
    const fraudsBefore = await frauds();
    expect(await postJson(feedback, label('labeled', '2100-01-01T00:00:00Z'))).toEqual(refused('label event', '/reportedAt', FUTURE));
    expect(await postJson(feedback, label('labeled', '1970-01-01T00:00:00Z', 'analyst'))).toEqual(refused('label event', '/reportedAt', OLD));
    expect(await postJson(feedback, label('labeled', NOW_S + SKEW_S + 1, 'user_confirmation'))).toEqual(refused('label event', '/reportedAt', FUTURE));
    expect(await postJson(feedback, label('labeled', NOW_S - AGE_S - 1, 'user_confirmation'))).toEqual(refused('label event', '/reportedAt', OLD));
    expect((await decision('labeled')).body.labels).toEqual([]);
    expect(await frauds()).toEqual(fraudsBefore);
    // Checked before the decision log is read: a refused time is a 422 even for an unknown transaction.
    expect((await postJson(feedback, label('never-scored', '2100-01-01T00:00:00Z'))).status).toBe(422);

    expect((await postJson(feedback, label('labeled', NOW_S + SKEW_S, 'chargeback'))).status).toBe(201);
    expect((await postJson(feedback, label('labeled', NOW_S - AGE_S, 'analyst'))).status).toBe(201);
    expect((await decision('labeled')).body.labels).toHaveLength(2);
    expect(await frauds()).toEqual(fraudsBefore.map((n) => n + 1));
  });

  it('serves the same vector after a burst of arbitrary timestamps as after only its in-range part', async () => {
    const YEAR_1 = Date.parse('0001-01-01T00:00:00Z') / 1000;
    const YEAR_9999 = Date.parse('9999-12-31T23:59:59Z') / 1000;
    const time = fc.oneof(
      fc.integer({ min: YEAR_1, max: YEAR_9999 }),
      fc.integer({ min: NOW_S - AGE_S - 7_200, max: NOW_S + 7_200 }),
      fc.integer({ min: NOW_S - 900, max: NOW_S + 900 }),
      fc.constantFrom(NOW_S - AGE_S - 1, NOW_S - AGE_S, NOW_S + SKEW_S, NOW_S + SKEW_S + 1, Date.parse('2100-01-01T00:00:00Z') / 1000),
    );
    const burst = fc.array(fc.record({ t: time, amountMinor: fc.integer({ min: 1, max: 1_000_000 }) }), { minLength: 1, maxLength: 8 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(burst, async (events) => {
        run++;
        /** Sends `sent` as entity pair `side` of this run, then one transaction at now; its served features. */
        const serve = async (side: string, sent: typeof events) => {
          const entity = { userId: `u-burst-${run}-${side}`, merchantId: `m-burst-${run}-${side}` };
          for (const [i, e] of sent.entries()) {
            const r = await postJson(score, txn(`burst-${run}-${side}-${i}`, e.t, { ...entity, amountMinor: e.amountMinor }));
            expect([r.status, e.t]).toEqual([inRange(e.t) ? 200 : 422, e.t]);
          }
          const id = `burst-${run}-${side}-now`;
          expect((await postJson(score, txn(id, NOW_S, entity))).status).toBe(200);
          const { status, body } = await decision(id);
          expect(status).toBe(200);
          return body.features;
        };
        const kept = events.filter((e) => inRange(e.t));
        const all = await serve('all', events);
        expect(all).toEqual(await serve('kept', kept));
        // Accepted events up to the skew ahead hide no current bucket: the counts are the brute-force ones.
        const count = (bucketSeconds: number, buckets: number) => {
          const b = Math.floor(NOW_S / bucketSeconds);
          return kept.filter((e) => Math.floor(e.t / bucketSeconds) > b - buckets && Math.floor(e.t / bucketSeconds) <= b).length;
        };
        expect([all.user_count_1h, all.user_count_1d, all.user_count_7d]).toEqual([count(300, 12), count(3_600, 24), count(86_400, 7)]);
      }),
      { numRuns: 40 },
    );
  });
});
