import { FEATURE_NAMES, REASON_CATALOGUE } from '../../../features';
import type { DecisionRecord } from '../../../src/records/decision-record';
import { postJson, startTestService, type TestService } from '../../support/service';

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));
const KNOWN_CODES = new Set(Object.values(REASON_CATALOGUE).flatMap((e) => [e.code, ...(e.whenMissing ? [e.whenMissing.code] : [])]));

const txn = (i: number, over: Record<string, unknown> = {}) => ({
  transactionId: `r-${i}`,
  timestamp: new Date(Date.UTC(2018, 8, 1, 8) + i * 97_000).toISOString(),
  userId: `c${String(i % 40).padStart(5, '0')}`,
  merchantId: `m${String(i % 25).padStart(5, '0')}`,
  amountMinor: 500 + ((i * 7_919) % 24_000),
  currency: 'EUR',
  channel: (['contactless', 'ecommerce', 'card_present', 'atm'] as const)[i % 4],
  merchantCountry: i % 9 === 0 ? 'FR' : 'BE',
  userCountry: 'BE',
  ...over,
});

describe('reason codes in answers and records', () => {
  let svc: TestService;
  let url: string;
  beforeAll(async () => {
    svc = await startTestService();
    url = svc.url;
  });
  afterAll(async () => {
    await svc.close();
  });

  it('serves a champion that can explain itself', () => {
    expect(svc.models.champion()?.explainer).not.toBeNull();
  });

  it('a decline names its top reasons with codes and texts; GET shows every contribution, recorded with the decision', async () => {
    const r = await postJson(`${url}/v1/score`, txn(1, { transactionId: 'big', amountMinor: 95_000 }));
    expect(r.body.decision).toBe('decline');
    const reasons = r.body.reasons as { code: string; text: string; feature: string; value: number | null; contribution: number }[];
    expect(reasons.length).toBeGreaterThanOrEqual(1);
    expect(reasons.length).toBeLessThanOrEqual(3);
    expect(reasons[0]).toEqual({ code: 'AMOUNT_LARGE', text: 'a large amount', feature: 'amount', value: 950, contribution: expect.any(Number) });
    for (const reason of reasons) {
      expect(KNOWN_CODES.has(reason.code)).toBe(true);
      expect(reason.contribution).toBeGreaterThan(0);
    }
    expect(reasons.map((x) => x.contribution)).toEqual([...reasons.map((x) => x.contribution)].sort((a, b) => b - a));

    // The decision event for Kibana carries the codes the answer named.
    const event = svc.logs.find((l) => (l.fraud as { transaction_id?: string } | undefined)?.transaction_id === 'big');
    expect((event?.fraud as { reason_codes?: unknown }).reason_codes).toEqual(reasons.map((x) => x.code));

    const got = await fetch(`${url}/v1/decisions/big`).then((res) => res.json() as Promise<Record<string, unknown>>);
    const explanation = got.explanation as { source: string; bias: number; contributions: Record<string, number>; reasons: unknown[] };
    expect(explanation.source).toBe('recorded');
    expect(Object.keys(explanation.contributions)).toEqual([...FEATURE_NAMES]);
    expect(explanation.reasons).toEqual(reasons);
    const margin = explanation.bias + Object.values(explanation.contributions).reduce((a, b) => a + b, 0);
    expect(Math.abs(sigmoid(margin) - (got.score as number))).toBeLessThanOrEqual(1e-6);
  });

  it('an approval answers without reasons; its contributions are computed when it is read, and equal what a decline records', async () => {
    const r = await postJson(`${url}/v1/score`, txn(2, { transactionId: 'small', amountMinor: 1_500 }));
    expect(r.body.decision).toBe('approve');
    expect(r.body.reasons).toEqual([]);
    const stored = await svc.events.decisionLog.get('small');
    expect(stored?.contributions).toBeNull();
    const got = await fetch(`${url}/v1/decisions/small`).then((res) => res.json() as Promise<Record<string, unknown>>);
    const explanation = got.explanation as { source: string; bias: number; contributions: Record<string, number> };
    expect(explanation.source).toBe('computed');
    const margin = explanation.bias + Object.values(explanation.contributions).reduce((a, b) => a + b, 0);
    expect(Math.abs(sigmoid(margin) - (got.score as number))).toBeLessThanOrEqual(1e-6);
  });

  it('the contributions sum with the bias to the served score for every decision served', async () => {
    const answers = [];
    for (let i = 10; i < 410; i += 8) {
      answers.push(...(await Promise.all(Array.from({ length: 8 }, (_, k) => postJson(`${url}/v1/score`, txn(i + k))))));
    }
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const outcomes = new Map<string, number>();
    let worst = 0;
    let recorded = 0;
    for (const a of answers) {
      outcomes.set(a.body.decision as string, (outcomes.get(a.body.decision as string) ?? 0) + 1);
      const record = (await svc.events.decisionLog.get(a.body.transactionId as string)) as DecisionRecord;
      const explanation = svc.scoring.explanation(record);
      expect(explanation).not.toBeNull();
      if (explanation!.source === 'recorded') recorded++;
      expect(explanation!.source === 'recorded').toBe(record.decision !== 'approve');
      expect((a.body.reasons as unknown[]).length > 0).toBe(record.decision !== 'approve');
      const margin = explanation!.bias + Object.values(explanation!.contributions).reduce((x, y) => x + y, 0);
      worst = Math.max(worst, Math.abs(sigmoid(margin) - (record.score as number)));
    }
    console.log(`reasons: ${answers.length} decisions (${JSON.stringify(Object.fromEntries(outcomes))}), ${recorded} explained when decided; max |sigmoid(bias + Σφ) - score| = ${worst.toExponential(2)}`);
    expect(recorded).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(1e-6);
  });
});
