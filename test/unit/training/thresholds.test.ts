import { NEVER, ratesAtThresholds, selectThresholds } from '../../../src/training/thresholds';

// Ten validation rows, highest score first; 4 frauds.
//  score  0.95 0.90 0.85 0.80 0.70 0.60 0.50 0.40 0.30 0.20
//  label   1    1    0    1    0    1    0    0    0    0
// Flag "score ≥ t":   t=.95 → 1 row, precision 1/1 · t=.90 → 2, 2/2 · t=.85 → 3, 2/3
//                     t=.80 → 4, 3/4 · t=.70 → 5, 3/5 · t=.60 → 6, 4/6 · t=.50 → 7, 4/7 …
const scores = Float64Array.of(0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2);
const labels = Uint8Array.of(1, 1, 0, 1, 0, 1, 0, 0, 0, 0);

describe('selectThresholds', () => {
  it('picks the lowest precise-enough decline and the lowest in-budget challenge', () => {
    // Budget 60% → at most 6 rows flagged: challenge = 0.60 (6 rows).
    // Precision ≥ 75% within budget: t = .95, .90, .80 qualify; lowest = 0.80.
    const r = selectThresholds(scores, labels, { maxChallengeRate: 0.6, minDeclinePrecision: 0.75 });
    expect(r.thresholds).toEqual({ challenge: 0.6, decline: 0.8 });
    expect(r.targets).toEqual({ maxChallengeRate: 0.6, minDeclinePrecision: 0.75 });
    // Declined: .95 .90 .85 .80 → 4 rows, 3 fraud. Challenged: .70 .60 → 2 rows, 1 fraud.
    expect(r.validation).toEqual({
      rows: 10,
      frauds: 4,
      approveRate: 0.4,
      challengeRate: 0.2,
      declineRate: 0.4,
      flaggedRate: 0.6,
      challengePrecision: 0.5,
      declinePrecision: 0.75,
      declineRecall: 0.75,
      flaggedPrecision: 4 / 6,
      flaggedRecall: 1,
    });
  });

  it('keeps decline inside the budget even when a lower threshold would be precise enough', () => {
    // Budget 20% → 2 rows: challenge = decline = 0.90 (precision 1); the empty challenge band is fine.
    const r = selectThresholds(scores, labels, { maxChallengeRate: 0.2, minDeclinePrecision: 0.5 });
    expect(r.thresholds).toEqual({ challenge: 0.9, decline: 0.9 });
    expect(r.validation.challengeRate).toBe(0);
    expect(r.validation.challengePrecision).toBeNull();
  });

  it('never declines when no threshold is precise enough', () => {
    // A legit row on top: precisions become 0/1, 1/2, 2/3, 2/4, 3/5, … — never ≥ 90%.
    const s = Float64Array.of(0.99, ...scores);
    const l = Uint8Array.of(0, ...labels);
    const r = selectThresholds(s, l, { maxChallengeRate: 0.5, minDeclinePrecision: 0.9 });
    expect(r.thresholds.decline).toBe(NEVER);
    expect(r.thresholds.challenge).toBe(0.8); // 5 of 11 rows ≤ 50% (6 would be 54.5%)
    expect(r.validation.declineRate).toBe(0);
    expect(r.validation.declinePrecision).toBeNull();
    expect(r.validation.declineRecall).toBe(0);
  });

  it('neither challenges nor declines when the top tied group alone exceeds the budget', () => {
    const r = selectThresholds(Float64Array.of(0.9, 0.9, 0.9, 0.1), Uint8Array.of(1, 1, 1, 0), {
      maxChallengeRate: 0.5,
      minDeclinePrecision: 0.5,
    });
    expect(r.thresholds).toEqual({ challenge: NEVER, decline: NEVER });
    expect(r.validation.approveRate).toBe(1);
    expect(r.validation.flaggedRecall).toBe(0);
  });

  it('stores NEVER as a finite number that survives JSON', () => {
    expect(NEVER).toBeGreaterThan(1);
    expect(JSON.parse(JSON.stringify({ decline: NEVER }))).toEqual({ decline: NEVER });
  });

  it('rejects targets outside [0, 1], non-probability scores and empty input', () => {
    const ok = { maxChallengeRate: 0.1, minDeclinePrecision: 0.9 };
    expect(() => selectThresholds(scores, labels, { ...ok, maxChallengeRate: 1.2 })).toThrow(
      new RangeError('maxChallengeRate must be within [0, 1], got 1.2'),
    );
    expect(() => selectThresholds(scores, labels, { ...ok, minDeclinePrecision: -1 })).toThrow(
      new RangeError('minDeclinePrecision must be within [0, 1], got -1'),
    );
    expect(() => selectThresholds(Float64Array.of(1.5), Uint8Array.of(1), ok)).toThrow(new RangeError('score at row 0 is 1.5, outside [0, 1]'));
    expect(() => selectThresholds(new Float64Array(0), new Uint8Array(0), ok)).toThrow(
      new RangeError('cannot choose thresholds from an empty validation set'),
    );
  });
});

describe('ratesAtThresholds', () => {
  it('applies score ≥ decline → decline, challenge ≤ score < decline → challenge', () => {
    // decline ≥ .9: .95 .90 (2 fraud) · challenge [.5, .9): .85 .80 .70 .60 .50 (2 fraud)
    const r = ratesAtThresholds(scores, labels, { challenge: 0.5, decline: 0.9 });
    expect(r.declineRate).toBe(0.2);
    expect(r.challengeRate).toBe(0.5);
    expect(r.approveRate).toBeCloseTo(0.3, 12);
    expect(r.declinePrecision).toBe(1);
    expect(r.challengePrecision).toBe(0.4);
    expect(r.flaggedRecall).toBe(1);
  });

  it('reports null precision and recall where undefined, and rejects challenge > decline', () => {
    const r = ratesAtThresholds(Float64Array.of(0.1), Uint8Array.of(0), { challenge: NEVER, decline: NEVER });
    expect(r.flaggedPrecision).toBeNull();
    expect(r.flaggedRecall).toBeNull();
    expect(() => ratesAtThresholds(scores, labels, { challenge: 0.9, decline: 0.5 })).toThrow(
      new RangeError('challenge (0.9) must not exceed decline (0.5)'),
    );
  });
});
