import { applyLabel, applyTransaction, computeFeatures, emptyProfile, formatRfc3339, type Transaction } from '../../../../features';
import type { LoggedDecision } from '../../../../src/events/decision-log';
import type { LabelRecord } from '../../../../src/events/label-store';
import { checkParity } from '../../../../src/training/retrain/parity-check';
import { buildServedDataset } from '../../../../src/training/retrain/served-dataset';

const T0 = Date.UTC(2018, 5, 1) / 1000;
const DAY = 86_400;

function txn(i: number, t: number): Transaction {
  return { transactionId: `t${i}`, timestamp: formatRfc3339(t), userId: `u${i % 2}`, merchantId: 'm1', amountMinor: 1_000 + i, currency: 'EUR' };
}

function label(id: string, at: number, value: 'fraud' | 'legitimate', source: LabelRecord['source'], applySeq: number | null): LabelRecord {
  return { transactionId: id, label: value, source, reportedAt: formatRfc3339(at), reportedAtSeconds: at, receivedAt: '', applySeq };
}

/** A service-like history: vectors computed exactly as the service does, in applySeq order. */
function history() {
  const users = new Map<string, ReturnType<typeof emptyProfile>>();
  const merchant = emptyProfile();
  const decisions: LoggedDecision[] = [];
  const labels: LabelRecord[] = [];
  let seq = 0;
  for (let i = 0; i < 20; i++) {
    const t = T0 + i * DAY;
    const x = txn(i, t);
    const user = users.get(x.userId) ?? emptyProfile();
    users.set(x.userId, user);
    if (i === 10) {
      // the label for t2 arrives here
      applyLabel(users.get('u0') as ReturnType<typeof emptyProfile>, { userId: 'u0', merchantId: 'm1', epochSeconds: T0 + 2 * DAY }, 1);
      applyLabel(merchant, { userId: 'u0', merchantId: 'm1', epochSeconds: T0 + 2 * DAY }, 1);
      labels.push(label('t2', t - 1, 'fraud', 'chargeback', ++seq));
    }
    const features = computeFeatures(x, user, merchant);
    applyTransaction(user, 'user', x);
    applyTransaction(merchant, 'merchant', x);
    decisions.push({
      seq: i + 1, transactionId: x.transactionId, transaction: x, eventTime: t, features, featureSpecHash: 's', score: 0.1,
      decision: 'approve', modelVersion: 'v', shadow: null, degraded: false, degradedReasons: [], latencyMs: 1, decidedAt: '', applySeq: ++seq,
    });
  }
  return { decisions, labels };
}

describe('retrain parity check', () => {
  it('reproduces every logged vector of a faithful history', () => {
    const { decisions, labels } = history();
    expect(checkParity({ decisions, labels, window: { from: T0, to: T0 + 30 * DAY } })).toEqual({ checked: 20, mismatches: 0, mismatchRate: 0, examples: [] });
  });

  it('catches a vector the service would not reproduce, and a label replayed at the wrong place', () => {
    const { decisions, labels } = history();
    const tampered = decisions.map((d, i) => (i === 15 ? { ...d, features: Float32Array.from(d.features, (v, j) => (j === 0 ? v + 1 : v)) } : d));
    expect(checkParity({ decisions: tampered, labels, window: { from: T0, to: T0 + 30 * DAY } })).toMatchObject({ checked: 20, mismatches: 1, examples: ['t15'] });
    const early = labels.map((l) => ({ ...l, applySeq: 1.5 }));
    expect(checkParity({ decisions, labels: early, window: { from: T0, to: T0 + 30 * DAY } }).mismatches).toBeGreaterThan(0);
  });
});

describe('served training set', () => {
  const decisions = history().decisions;
  const asOf = T0 + 20 * DAY;

  it('uses labels known at asOf, counts matured unlabeled rows as legitimate and leaves immature ones out', () => {
    const labels = [
      label('t2', T0 + 9 * DAY, 'fraud', 'chargeback', 1),
      label('t5', T0 + 6 * DAY, 'fraud', 'user_confirmation', 2),
      label('t5', T0 + 8 * DAY, 'legitimate', 'analyst', 3), // analyst beats the user
      label('t7', asOf + 1, 'fraud', 'chargeback', 4), // arrives after asOf: unknown
      label('t18', T0 + 18 * DAY + 60, 'fraud', 'user_confirmation', 5), // recent but labeled: kept
    ];
    const d = buildServedDataset(decisions, labels, { asOf, maturitySeconds: 5 * DAY });
    // t16..t19 are younger than 5 days; of those only t18 has a label.
    expect(d.transactionId).toEqual([...Array.from({ length: 16 }, (_, i) => `t${i}`), 't18']);
    expect(d.immatureExcluded).toBe(3);
    expect(Array.from(d.labels).map((l, i) => (l === 1 ? d.transactionId[i] : null)).filter((x) => x !== null)).toEqual(['t2', 't18']);
    expect(d.matrix.length).toBe(17 * d.cols);
  });
});
