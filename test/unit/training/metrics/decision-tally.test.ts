import { declineQuality, flaggedQuality, tallyDecisions } from '../../../../src/training/metrics';

describe('tallyDecisions', () => {
  const scores = Float64Array.from([0.1, 0.5, 0.6, 0.9, 0.95, 0.2, 0.7]);
  const labels = Uint8Array.from([0, 0, 1, 1, 0, 1, 1]);
  const cutoffs = { challenge: 0.5, decline: 0.9 };

  it('counts rows by outcome and class; precision and recall of "challenge or decline" and of "decline"', () => {
    const { total } = tallyDecisions(scores, labels, cutoffs);
    expect(total).toEqual({ rows: 7, frauds: 4, approved: 2, approvedFrauds: 1, challenged: 3, challengedFrauds: 2, declined: 2, declinedFrauds: 1 });
    expect(flaggedQuality(total)).toEqual({ precision: 3 / 5, recall: 3 / 4 });
    expect(declineQuality(total)).toEqual({ precision: 1 / 2, recall: 1 / 4 });
  });

  it('tallies per segment in the given order, unseen ones listed empty, others after', () => {
    const segment = ['a', 'b', 'a', 'c', 'b', 'a', 'c'];
    const { segments } = tallyDecisions(scores, labels, cutoffs, (r) => segment[r]!, ['b', 'a', 'z']);
    expect(segments.map((s) => [s.segment, s.rows, s.frauds])).toEqual([
      ['b', 2, 0],
      ['a', 3, 2],
      ['z', 0, 0],
      ['c', 2, 2],
    ]);
    expect(flaggedQuality(segments[2]!)).toEqual({ precision: null, recall: null });
    expect(declineQuality(segments[3]!)).toEqual({ precision: 1, recall: 1 / 2 });
  });

  it('refuses thresholds out of order', () => {
    expect(() => tallyDecisions(scores, labels, { challenge: 0.9, decline: 0.5 })).toThrow('challenge (0.9) must not exceed decline (0.5)');
  });
});
