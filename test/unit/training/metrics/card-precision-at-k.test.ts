import fc from 'fast-check';
import { cardPrecisionAtK, type CardPrecisionInput } from '../../../../src/training/metrics';

interface Tx {
  readonly card: string | number;
  readonly day: number;
  readonly score: number;
  readonly fraud: 0 | 1;
}

function input(txs: readonly Tx[]): CardPrecisionInput {
  return {
    scores: Float64Array.from(txs.map((t) => t.score)),
    labels: Uint8Array.from(txs.map((t) => t.fraud)),
    cardIds: txs.map((t) => t.card),
    days: txs.map((t) => t.day),
  };
}

/** Straight transcription of the handbook's pandas code (full sort per day, ties by id). */
function reference(txs: readonly Tx[], k: number): number[] {
  const detected = new Set<string | number>();
  const days = [...new Set(txs.map((t) => t.day))].sort((a, b) => a - b);
  return days.map((day) => {
    const byCard = new Map<string | number, { score: number; fraud: number }>();
    for (const t of txs) {
      if (t.day !== day || detected.has(t.card)) continue;
      const c = byCard.get(t.card);
      byCard.set(t.card, { score: Math.max(c?.score ?? -Infinity, t.score), fraud: Math.max(c?.fraud ?? 0, t.fraud) });
    }
    const ranked = [...byCard.entries()].sort((a, b) => b[1].score - a[1].score || (a[0] as number) - (b[0] as number));
    const hits = ranked.slice(0, k).filter(([, c]) => c.fraud === 1);
    for (const [card] of hits) detected.add(card);
    return hits.length / k;
  });
}

describe('cardPrecisionAtK', () => {
  it('follows the handbook: per-card max, top k per day, detected cards leave later days', () => {
    // k = 2.
    // Day 0: A max(0.9, 0.2) fraud · B 0.8 legit · C 0.7 fraud · D 0.1 fraud
    //        top 2 = A, B → 1 fraud / 2 = 0.5; A detected. Compromised cards: A, C, D = 3.
    // Day 1: A (dropped, detected) · E 0.6 legit · C 0.3 fraud → top 2 = E, C → 1/2; C detected.
    // Day 2: C (dropped) · F 0.5 legit → top 2 = F → 0/2 (divided by k although only 1 card).
    // Mean = (0.5 + 0.5 + 0) / 3 = 1/3.
    const result = cardPrecisionAtK(
      input([
        { card: 'A', day: 0, score: 0.9, fraud: 1 },
        { card: 'A', day: 0, score: 0.2, fraud: 0 },
        { card: 'B', day: 0, score: 0.8, fraud: 0 },
        { card: 'C', day: 0, score: 0.7, fraud: 1 },
        { card: 'D', day: 0, score: 0.1, fraud: 1 },
        { card: 'A', day: 1, score: 0.95, fraud: 1 },
        { card: 'C', day: 1, score: 0.3, fraud: 1 },
        { card: 'E', day: 1, score: 0.6, fraud: 0 },
        { card: 'C', day: 2, score: 0.99, fraud: 1 },
        { card: 'F', day: 2, score: 0.5, fraud: 0 },
      ]),
      2,
    );
    expect(result.k).toBe(2);
    expect(result.mean).toBeCloseTo(1 / 3, 12);
    expect(result.perDay).toEqual([
      { day: 0, precision: 0.5, cards: 4, compromisedCards: 3, detectedCards: 1 },
      { day: 1, precision: 0.5, cards: 2, compromisedCards: 1, detectedCards: 1 },
      { day: 2, precision: 0, cards: 1, compromisedCards: 0, detectedCards: 0 },
    ]);
  });

  it('takes the max label per card: one fraudulent transaction makes the card compromised', () => {
    // Card 7 has a low-scored fraud and a high-scored legit transaction: max score 0.9, max label 1.
    const r = cardPrecisionAtK(input([
      { card: 7, day: 0, score: 0.9, fraud: 0 },
      { card: 7, day: 0, score: 0.1, fraud: 1 },
      { card: 8, day: 0, score: 0.5, fraud: 0 },
    ]), 1);
    expect(r.mean).toBe(1);
  });

  it('divides by k even when the day has fewer cards (default k = 100)', () => {
    const r = cardPrecisionAtK(input([
      { card: 1, day: 5, score: 0.9, fraud: 1 },
      { card: 2, day: 5, score: 0.8, fraud: 0 },
      { card: 3, day: 5, score: 0.7, fraud: 0 },
    ]));
    expect(r.k).toBe(100);
    expect(r.mean).toBe(0.01);
  });

  it('breaks score ties by card id: numerically for numbers, by code units for strings', () => {
    const tie = (a: string | number, b: string | number): number =>
      cardPrecisionAtK(input([
        { card: a, day: 0, score: 0.5, fraud: 1 },
        { card: b, day: 0, score: 0.5, fraud: 0 },
      ]), 1).mean;
    expect(tie(10, 9)).toBe(0); // 9 < 10 → the legit card 9 takes the single slot
    expect(tie('10', '9')).toBe(1); // "10" < "9" → the fraudulent card "10" takes it
    expect(tie('b', 'a')).toBe(0);
  });

  it('orders days numerically whatever the row order', () => {
    const r = cardPrecisionAtK(input([
      { card: 1, day: 10, score: 0.9, fraud: 1 },
      { card: 1, day: 2, score: 0.9, fraud: 1 },
    ]), 1);
    // Day 2 detects card 1, so day 10 has no card left: precision 0.
    expect(r.perDay.map((d) => [d.day, d.precision, d.cards])).toEqual([[2, 1, 1], [10, 0, 0]]);
    expect(r.mean).toBe(0.5);
  });

  it('returns NaN and no days for empty input', () => {
    expect(cardPrecisionAtK(input([]))).toEqual({ k: 100, mean: NaN, perDay: [] });
  });

  it('rejects a bad k, mismatched arrays and NaN days', () => {
    const one = input([{ card: 1, day: 0, score: 0.5, fraud: 0 }]);
    expect(() => cardPrecisionAtK(one, 0)).toThrow(new RangeError('k must be a positive integer, got 0'));
    expect(() => cardPrecisionAtK(one, 1.5)).toThrow(RangeError);
    expect(() => cardPrecisionAtK({ ...one, days: [] }, 1)).toThrow(new RangeError('cardIds (1) and days (0) must have 1 entries like scores'));
    expect(() => cardPrecisionAtK({ ...one, days: [NaN] }, 1)).toThrow(new RangeError('day at row 0 is NaN'));
  });

  it('agrees with a direct transcription of the handbook on random data with ties', () => {
    const tx = fc.record({
      card: fc.integer({ min: 0, max: 30 }),
      day: fc.integer({ min: 0, max: 4 }),
      score: fc.integer({ min: 0, max: 10 }).map((v) => v / 10),
      fraud: fc.constantFrom<0 | 1>(0, 0, 1),
    });
    fc.assert(
      fc.property(fc.array(tx, { maxLength: 300 }), fc.integer({ min: 1, max: 12 }), (txs, k) => {
        const got = cardPrecisionAtK(input(txs), k).perDay.map((d) => d.precision);
        expect(got).toEqual(reference(txs, k));
      }),
      { numRuns: 200 },
    );
  });
});
