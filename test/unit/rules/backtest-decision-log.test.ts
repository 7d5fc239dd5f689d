import { FEATURE_COUNT } from '../../../features';
import type { LoggedDecision } from '../../../src/records/decision-log';
import { modelDecisionOf, type DecisionPolicy } from '../../../src/rules/backtest-decision-log';

const THRESHOLDS = { challenge: 0.1, decline: 0.5 };
const SCORE_POLICY: DecisionPolicy = { degradedPolicy: 'score', noModelDecision: 'challenge' };

const record = (over: Partial<LoggedDecision> = {}): LoggedDecision => ({
  seq: 1,
  transactionId: 't-1',
  transaction: { transactionId: 't-1', timestamp: '2018-09-01T10:00:00Z', userId: 'u-1', merchantId: 'm-1', amountMinor: 100, currency: 'EUR' },
  eventTime: 1_535_796_000,
  features: new Float32Array(FEATURE_COUNT),
  featureSpecHash: 'x',
  contributions: null,
  score: 0.2,
  decision: 'challenge',
  modelVersion: 'v1',
  rules: { version: 'r', hash: 'h', hits: [] },
  shadow: null,
  degraded: false,
  degradedReasons: [],
  latencyMs: 1,
  decidedAt: '2018-09-01T10:00:00.010Z',
  client: null,
  servedBy: null,
  userReadVersion: 1,
  merchantReadVersion: 1,
  userVersion: 2,
  merchantVersion: 2,
  ...over,
});

describe('modelDecisionOf', () => {
  it('is the score through the model\'s thresholds, whatever the rules made of it', () => {
    expect(modelDecisionOf(record({ score: 0.05, decision: 'decline', rules: { version: 'r', hash: 'h', hits: ['blocked-user'] } }), THRESHOLDS, SCORE_POLICY)).toBe('approve');
    expect(modelDecisionOf(record({ score: 0.5 }), THRESHOLDS, SCORE_POLICY)).toBe('decline');
  });

  it('applies a fixed degraded policy when a profile was not read', () => {
    const unread = record({ score: 0.05, userReadVersion: null, degraded: true, degradedReasons: ['profile_store_timeout'] });
    expect(modelDecisionOf(unread, THRESHOLDS, { degradedPolicy: 'challenge', noModelDecision: 'approve' })).toBe('challenge');
    expect(modelDecisionOf(unread, THRESHOLDS, SCORE_POLICY)).toBe('approve');
  });

  it('without a score or a known model: the recorded decision when no rule hit, else the no-model policy (no score) or unknown (null)', () => {
    const hit = { version: 'r', hash: 'h', hits: ['amount-cap'] };
    expect(modelDecisionOf(record({ score: null, decision: 'approve', modelVersion: null }), null, SCORE_POLICY)).toBe('approve');
    expect(modelDecisionOf(record({ score: null, decision: 'decline', modelVersion: null, rules: hit }), null, SCORE_POLICY)).toBe('challenge');
    expect(modelDecisionOf(record({ decision: 'challenge', rules: null }), null, SCORE_POLICY)).toBe('challenge');
    expect(modelDecisionOf(record({ rules: hit }), null, SCORE_POLICY)).toBeNull();
  });
});
