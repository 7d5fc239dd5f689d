import { FEATURE_NAMES } from '../../../../features';
import { buildDriftReference } from '../../../../src/model/drift/build-reference';
import { evaluateScores, summarizeFolds } from '../../../../src/training/metrics';
import type { ReportInput } from '../../../../src/training/report';
import { testBreakdown } from '../../../../src/training/test-breakdown';
import { selectThresholds } from '../../../../src/training/thresholds';
import { seededRandom } from '../../../support/seeded-random';

/** A deterministic stream in [0, 1). */
const uniform = seededRandom;

/** A scored, labelled day-by-day set resembling a fraud model's output (≈1% fraud). */
export function syntheticScores(rows: number, seed: number): { scores: Float64Array; labels: Uint8Array; cardIds: Uint32Array; days: Int32Array } {
  const next = uniform(seed);
  const scores = new Float64Array(rows);
  const labels = new Uint8Array(rows);
  const cardIds = new Uint32Array(rows);
  const days = new Int32Array(rows);
  for (let i = 0; i < rows; i += 1) {
    const fraud = next() < 0.01;
    labels[i] = fraud ? 1 : 0;
    // Legit scores pile up near 0, fraud scores spread towards 1, with overlap.
    const u = next();
    scores[i] = fraud ? Math.min(1, Math.max(0, 1 - u * u * 1.2)) : Math.min(1, u ** 6 * 0.9 + next() * 0.02);
    cardIds[i] = Math.floor(next() * 2000);
    days[i] = Math.floor((i / rows) * 7);
  }
  return { scores, labels, cardIds, days };
}

/** The simulator's three scenarios, as a dataset built from its stream names them. */
export const SYNTHETIC_SCENARIOS = { '1': 'amount-threshold', '2': 'compromised-terminals', '3': 'compromised-customers' } as const;

/**
 * Served vectors for scored rows (spec order): amounts in EUR spread over every band (fraud
 * larger), a channel code (NaN for one row in 50), the other features noise with some NaN.
 */
export function syntheticVectors(labels: Uint8Array, seed: number): Float32Array {
  const next = uniform(seed);
  const cols = FEATURE_NAMES.length;
  const amount = FEATURE_NAMES.indexOf('amount');
  const channel = FEATURE_NAMES.indexOf('tx_channel');
  const out = new Float32Array(labels.length * cols);
  for (let r = 0; r < labels.length; r++) {
    for (let f = 0; f < cols; f++) out[r * cols + f] = next() < 0.05 ? Number.NaN : Math.floor(next() * (f + 3));
    out[r * cols + amount] = Math.exp(1 + 5 * next() + (labels[r] === 1 ? 1.5 : 0));
    out[r * cols + channel] = next() < 0.02 ? Number.NaN : Math.floor(next() * 4);
  }
  return out;
}

/** A complete report input, filled the way the training pipeline fills it. */
export function syntheticReportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  const testSet = syntheticScores(20_000, 7);
  const test = evaluateScores(testSet);
  const validationSet = syntheticScores(10_000, 11);
  const validation = evaluateScores(validationSet);
  const folds = [3, 5, 9, 13].map((seed) => evaluateScores(syntheticScores(5_000, seed)).metrics);
  const names = [
    'amount_minor_log', 'user_tx_count_1h', 'user_tx_count_24h', 'user_amount_sum_7d', 'user_amount_mean_30d',
    'merchant_fraud_count_7d', 'merchant_fraud_rate_28d', 'merchant_tx_count_1d', 'merchant_risk_score_very_long_feature_name',
    'hour_of_day', 'is_weekend', 'is_night', 'country_mismatch', 'new_merchant_for_user', 'seconds_since_last_tx',
    'distance_from_home_km', 'currency_is_foreign', 'card_present', 'user_age_days', 'merchant_age_days',
    '<script>alert("x")</script>', 'mcc_group', 'user_declines_24h', 'amount_vs_user_mean',
  ];
  const thresholds = selectThresholds(validationSet.scores, validationSet.labels, { maxChallengeRate: 0.02, minDeclinePrecision: 0.9 });
  const scenarioIds = Uint8Array.from(testSet.labels, (y, i) => (y === 1 ? 1 + (i % 3) : 0));
  const breakdown = testBreakdown({
    scores: Float32Array.from(testSet.scores),
    labels: testSet.labels,
    thresholds: thresholds.thresholds,
    vectors: syntheticVectors(testSet.labels, 17),
    scenarios: { ids: scenarioIds, names: SYNTHETIC_SCENARIOS },
  });
  const drift = buildDriftReference({ featureNames: FEATURE_NAMES, vectors: syntheticVectors(validationSet.labels, 19), scores: validationSet.scores });
  return {
    model: {
      version: '2024-05-01T12-00-00Z-3f9a1c',
      createdAt: '2024-05-01T12:00:00Z',
      parent: '2024-04-01T12-00-00Z-77aa10',
      featureSpecHash: '9b2c1f0e4d5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e',
      datasetHash: 'd41d8cd98f00b204e9800998ecf8427e0123456789abcdef0123456789abcdef',
      trainer: 'xgboost 2.0.3 (C API via koffi)',
      params: { max_depth: 6, eta: 0.1, n_estimators: 100, objective: 'binary:logistic', subsample: 0.8, tree_method: 'hist' },
    },
    windows: {
      train: { start: '2018-07-25', end: '2018-08-01' },
      validation: { start: '2018-08-08', end: '2018-08-15' },
      test: { start: '2018-08-15', end: '2018-08-22' },
      delayDays: 7,
    },
    metrics: { test: test.metrics, validation: validation.metrics, prequential: summarizeFolds(folds) },
    testSet: test,
    thresholds,
    featureImportance: names.map((name, i) => ({ name, gain: 1000 / (i + 1) ** 1.3 })),
    breakdown,
    drift,
    ...overrides,
  };
}
